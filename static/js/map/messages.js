/* Blisko — the threat map: what is said beside and over it: the legend's counts, the status
 * line (why the request failed) and the empty-state message over the map.
 */
(function () {
  "use strict";

  var parts = window.Blisko.map = window.Blisko.map || {};

  /* The messages of the map in `ctx`; `reports` (js/map/reports.js) is cleared with them,
     and `filters` (js/map/filters.js) marks a refused period. */
  parts.messages = function (ctx, reports, filters) {
    var data = ctx.data;
    var container = ctx.container;
    var status = ctx.status;
    var empty = ctx.empty;

    /* The legend's counts and the total of an answer; keeps the status names in ctx.labels. */
    function legend(answer) {
      answer.legend.forEach(function (item) {
        ctx.labels[item.status] = item.label;
        var count = document.querySelector("[data-legend-count='" + item.status + "']");
        if (count) { count.textContent = item.count.toLocaleString(); }
      });
      var total = document.querySelector("[data-map-total]");
      if (total) { total.textContent = answer.total.toLocaleString(); }
    }

    function say(text) {
      if (status) { status.textContent = text; }
    }

    /* Says over the map why it shows no report (nothing in view, or nothing the filters
       let through); hidden when there is something. */
    function showEmpty(message) {
      if (!empty) { return; }
      empty.textContent = message || "";
      empty.hidden = !message;
    }

    /* After an answer: nothing to say, unless it holds no report. */
    function answered(answer, filtered) {
      say("");
      showEmpty(answer.total ? "" : (filtered ? data.msgEmptyFiltered : data.msgEmpty));
    }

    /* No answer to draw (no status ticked, or the request was refused): nothing of an older
       answer stays on the map or in the legend. */
    function clearAnswer(count, kind) {
      reports.clear();
      document.querySelectorAll("[data-legend-count]").forEach(function (item) { item.textContent = count; });
      var total = document.querySelector("[data-map-total]");
      if (total) { total.textContent = count; }
      container.dataset.kind = kind;
      container.dataset.ready = "1";
    }

    /* No status ticked. */
    function nothing() {
      say("");
      showEmpty(data.msgNoStatus);
      clearAnswer("0", "none");
    }

    /* What to say when the map's request fails: a refused period in the form's own words
       (the API names its parameters), else the API's message. Marks the period's fields. */
    function refusal(error) {
      var field = error.extra && error.extra.field;
      var period = field === "from" || field === "to";
      filters.markPeriod(period);
      if (period && data.msgBadPeriod) { return data.msgBadPeriod; }
      return error.message || data.msgFailed;
    }

    /* The request failed. */
    function failed(error) {
      say(refusal(error));
      showEmpty("");
      clearAnswer("–", "error");
    }

    return { legend: legend, answered: answered, nothing: nothing, failed: failed };
  };
})();
