/* Blisko — the public threat map.
 *
 * Asks GET /api/v1/map for the viewport (and the filters of the form beside the map) after
 * every move, and draws what it gets: reports as dots coloured by status when zoomed in,
 * or counted cells (a ring of status colours around the count) when zoomed out. A dot's
 * popup shows the category, status, date and how many residents have seen it too, with the
 * "I have seen this too" button (POST /api/v1/reports/{code}/seen). No external requests:
 * with no tile URL set, area outlines draw on a plain background.
 *
 * This file wires the pieces together; each is a file of js/map/, loaded before it (after
 * js/shared.js) by templates/public/map.html:
 *   geometry.js  the boxes of the view, as the API takes them
 *   outlines.js  the area outlines under the reports, asked for the view as it moves
 *   filters.js   the filter form and the state kept in the address
 *   popup.js     a report's popup and "I have seen this too"
 *   reports.js   the answer's dots and cells
 *   messages.js  the legend's counts, the status line and the empty-state message
 *   answer.js    asking for the map answer (aborting an older one) and drawing it
 */
(function () {
  "use strict";

  var Blisko = window.Blisko;
  var parts = Blisko.map;

  function initMap(container) {
    var data = container.dataset;
    var map = L.map(container, { zoomSnap: 1, keyboard: true, minZoom: 3, maxZoom: 19 });
    container.bliskoMap = map;
    var ctx = {
      container: container,
      data: data,
      map: map,
      tiles: Blisko.addTiles(map),
      form: document.querySelector("[data-map-filters]"),
      status: document.querySelector("[data-map-status]"),
      empty: document.querySelector("[data-map-empty]"),
      labels: {}, // status names, from the answers' legends
    };
    var reports = parts.reports(ctx, parts.popup(ctx));

    var lat = parseFloat(data.lat);
    var lon = parseFloat(data.lon);
    var placed = isFinite(lat) && isFinite(lon);
    if (placed) {
      map.setView([lat, lon], parseInt(data.zoom, 10) || 15);
    } else {
      map.fitBounds(Blisko.START_BOUNDS);
    }

    var filters = parts.filters(ctx);
    var answer = parts.answer(ctx, filters, reports, parts.messages(ctx, reports, filters));
    filters.onChange(answer.load);
    var outlines = parts.outlines(ctx);

    function later() {
      answer.later(outlines.all);
    }

    if (placed) {
      map.on("moveend", later);
      answer.load();
      outlines.all();
    } else {
      // The whole map opens on the regions in the first view (not animated, so the first
      // request asks for the view the resident will see); the communities follow for it.
      outlines.fetch(outlines.regions).then(function () {
        var bounds = outlines.regions.group.getBounds();
        if (bounds.isValid()) {
          map.fitBounds(bounds, { padding: [8, 8], animate: false });
        }
        map.on("moveend", later);
        answer.load();
        outlines.all();
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var container = document.querySelector("[data-threat-map]");
    if (container && window.L) { initMap(container); }
  });
})();
