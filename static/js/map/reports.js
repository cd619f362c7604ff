/* Blisko — the threat map: the answer's reports drawn on it, as dots coloured by status
 * (zoomed in) or as counted cells (zoomed out).
 */
(function () {
  "use strict";

  var Blisko = window.Blisko;
  var parts = Blisko.map = Blisko.map || {};

  /* A cell: its count in a ring split by status colour (a conic gradient), in the
     legend's order. The ring's size follows the answer's `circle`, which the server also
     uses to keep each ring inside its cell, so no two rings overlap. */
  function cellIcon(cell, legend, circle) {
    var stops = [];
    var start = 0;
    legend.forEach(function (item) {
      var n = cell.counts[item.status] || 0;
      if (!n) { return; }
      var end = start + (n / cell.count) * 100;
      stops.push(item.colour + " " + start.toFixed(2) + "% " + end.toFixed(2) + "%");
      start = end;
    });
    var size = Math.round(parts.geometry.clamp(circle.min_px + circle.px_per_decade * Math.log10(cell.count), circle.min_px, circle.max_px));
    // Built as elements, its colours set through element.style: the Content-Security-Policy
    // refuses a style="" attribute in HTML.
    var ring = document.createElement("span");
    ring.className = "map-cell__ring";
    ring.style.background = "conic-gradient(" + stops.join(", ") + ")";
    var count = document.createElement("span");
    count.className = "map-cell__count";
    count.textContent = cell.count.toLocaleString();
    ring.appendChild(count);
    return L.divIcon({ className: "map-cell", html: ring, iconSize: [size, size] });
  }

  /* The layers of reports on `ctx.map`: points(answer), cells(answer) and clear().
     `popup(feature, categories)` builds a point's popup. */
  parts.reports = function (ctx, popup) {
    var map = ctx.map;
    var pointLayer = L.layerGroup().addTo(map);
    var cellLayer = L.layerGroup().addTo(map);
    var points = {};

    /* Points are kept between answers (keyed by tracking code), so panning does not
       redraw them and an open popup stays open; a report whose status or place changed is
       drawn anew. */
    function drawPoints(answer) {
      cellLayer.clearLayers();
      var current = {};
      answer.points.features.forEach(function (feature) {
        var p = feature.properties;
        var c = feature.geometry.coordinates;
        var key = p.status + " " + c[0] + " " + c[1];
        current[p.code] = true;
        var item = points[p.code];
        if (item && item.key !== key) {
          pointLayer.removeLayer(item.marker);
          item = null;
        }
        if (!item) {
          item = { key: key };
          item.marker = L.circleMarker([c[1], c[0]], {
            radius: 8, color: "#ffffff", weight: 2, fillColor: p.colour, fillOpacity: 0.95,
            className: "report-marker report-marker--" + p.status,
          });
          item.marker.bindPopup(function () { return popup(item.feature, item.categories); }, { minWidth: 200 });
          item.marker.addTo(pointLayer);
          points[p.code] = item;
        }
        item.feature = feature;
        item.categories = answer.categories;
      });
      Object.keys(points).forEach(function (code) {
        if (!current[code]) {
          pointLayer.removeLayer(points[code].marker);
          delete points[code];
        }
      });
    }

    function clearPoints() {
      pointLayer.clearLayers();
      points = {};
    }

    function drawCells(answer) {
      clearPoints();
      cellLayer.clearLayers();
      answer.cells.forEach(function (cell) {
        var marker = L.marker([cell.lat, cell.lon], {
          icon: cellIcon(cell, answer.legend, answer.circle),
          title: Blisko.format(ctx.data.msgCell, { count: cell.count }),
          keyboard: true,
        });
        marker.on("click", function () {
          map.setView([cell.lat, cell.lon], Math.min(map.getZoom() + 2, 19));
        });
        marker.addTo(cellLayer);
      });
    }

    return {
      points: drawPoints,
      cells: drawCells,
      clear: function () {
        clearPoints();
        cellLayer.clearLayers();
      },
    };
  };
})();
