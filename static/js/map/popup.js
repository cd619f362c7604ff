/* Blisko — the threat map: a report's popup, with "I have seen this too"
 * (POST /api/v1/reports/{code}/seen).
 */
(function () {
  "use strict";

  var Blisko = window.Blisko;
  var parts = Blisko.map = Blisko.map || {};
  var format = Blisko.format;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function localDate(iso) {
    var split = iso.split("-").map(Number);
    var day = new Date(split[0], split[1] - 1, split[2]);
    try {
      return day.toLocaleDateString(document.documentElement.lang || undefined, { day: "numeric", month: "long", year: "numeric" });
    } catch (error) {
      return iso;
    }
  }

  /* popup(feature, categories): the popup of a point of the map answer. Its messages and
     URLs are the map's data-*; status names come from `ctx.labels` (filled by the legend). */
  parts.popup = function (ctx) {
    var data = ctx.data;

    function sendSeen(code, button, seenLine, note) {
      button.disabled = true;
      button.textContent = data.msgSending;
      fetch(data.seenUrl.replace(data.code, encodeURIComponent(code)), {
        method: "POST",
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (result) {
          if (result.ok) {
            seenLine.textContent = format(data.msgSeen, { count: result.body.seen_count });
            seenLine.dataset.seenCount = result.body.seen_count;
          }
          note.textContent = result.body.message || "";
          button.remove(); // (the class .button would show a hidden one)
        })
        .catch(function () {
          button.disabled = false;
          button.textContent = data.msgSeenButton;
          note.textContent = data.msgFailed;
        });
    }

    return function popup(feature, categories) {
      var p = feature.properties;
      var box = element("div", "report-popup");
      box.dataset.reportCode = p.code;
      box.appendChild(element("p", "report-popup__category", categories[p.category] || p.category));
      var badge = element("p", "report-popup__status");
      var dot = element("span", "report-popup__dot");
      dot.style.background = p.colour;
      badge.appendChild(dot);
      badge.appendChild(document.createTextNode(ctx.labels[p.status] || p.status));
      box.appendChild(badge);
      box.appendChild(element("p", "report-popup__date", format(data.msgReported, { date: localDate(p.date) })));
      var seenLine = element("p", "report-popup__seen", format(data.msgSeen, { count: p.seen }));
      seenLine.dataset.seenCount = p.seen;
      box.appendChild(seenLine);
      var note = element("p", "report-popup__note");
      note.setAttribute("role", "status");
      if (p.status === "submitted" || p.status === "in_verification" || p.status === "confirmed") {
        var button = element("button", "button button--small", data.msgSeenButton);
        button.type = "button";
        button.dataset.seenButton = "";
        button.addEventListener("click", function () { sendSeen(p.code, button, seenLine, note); });
        box.appendChild(button);
      }
      box.appendChild(note);
      var link = element("a", "report-popup__link", data.msgFollow);
      link.href = data.trackUrl.replace(data.code, encodeURIComponent(p.code));
      box.appendChild(link);
      return box;
    };
  };
})();
