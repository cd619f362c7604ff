/* Blisko — police pages: the map of the listed reports and "select all" for bulk actions.
 *
 * The pages work without this file (the table, the forms). Each [data-reports-map] element
 * names the JSON script holding its points (exact locations: police only), drawn as circles
 * coloured by status on the region outlines; the map marks itself data-ready="1" once drawn.
 * No external requests: tiles only if the site sets a tile URL. Needs js/shared.js before it.
 */
(function () {
  "use strict";

  var REGION_STYLE = { color: "#7d8aa0", weight: 1.2, opacity: 0.9, fillColor: "#ffffff", fillOpacity: 1 };
  var COMMUNITY_STYLE = { color: "#9aa6b8", weight: 0.7, opacity: 0.9, fill: false };
  // Shared with the other pages (js/shared.js, loaded first).
  var Blisko = window.Blisko;

  function readJson(id) {
    var element = document.getElementById(id);
    if (!element) { return []; }
    try { return JSON.parse(element.textContent) || []; } catch (error) { return []; }
  }

  function outlines(map, base) {
    if (!base) { return Promise.resolve(); }
    var levels = ["region", "community"];
    return Promise.all(levels.map(function (level) {
      return Blisko.getOutlines(base, level);
    })).then(function (layers) {
      layers.forEach(function (data, index) {
        if (data) {
          L.geoJSON(data, { style: index ? COMMUNITY_STYLE : REGION_STYLE, interactive: false }).addTo(map);
        }
      });
    });
  }

  function popup(point) {
    var box = document.createElement("div");
    var title = document.createElement(point.url ? "a" : "strong");
    title.textContent = point.code;
    title.className = "code";
    if (point.url) { title.href = point.url; }
    box.appendChild(title);
    var line = document.createElement("div");
    line.textContent = point.category + " · " + point.status_label;
    box.appendChild(line);
    return box;
  }

  function initMap(element) {
    var points = readJson(element.dataset.points);
    var map = Blisko.createMap(element);

    var markers = L.featureGroup();
    points.forEach(function (point) {
      var marker = L.circleMarker([point.lat, point.lon], {
        radius: 8,
        color: "#17202e",
        weight: 1.5,
        fillColor: point.colour,
        fillOpacity: 0.9,
        className: "report-marker report-marker--" + point.status,
      });
      marker.bindPopup(popup(point));
      marker.bindTooltip(point.code, { direction: "top" });
      markers.addLayer(marker);
    });

    function fit() {
      if (points.length === 1) {
        map.setView([points[0].lat, points[0].lon], Number(element.dataset.zoom || 15));
      } else if (points.length) {
        map.fitBounds(markers.getBounds(), { padding: [24, 24], maxZoom: 15 });
      } else {
        map.fitBounds(Blisko.START_BOUNDS);
      }
    }

    fit();
    outlines(map, element.dataset.outlinesUrl).then(function () {
      markers.addTo(map);
      markers.eachLayer(function (marker) {
        var path = marker.getElement && marker.getElement();
        var point = points[markers.getLayers().indexOf(marker)];
        if (path && point) { path.setAttribute("data-code", point.code); }
      });
      fit();
      element.dataset.ready = "1";
    });
  }

  function initSelectAll(form) {
    var all = form.querySelector("[data-select-all]");
    if (!all) { return; }
    var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name='codes']"));
    all.hidden = false;
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        var ticked = boxes.filter(function (b) { return b.checked; }).length;
        all.checked = ticked === boxes.length;
        all.indeterminate = ticked > 0 && ticked < boxes.length;
      });
    });
  }

  document.querySelectorAll("[data-reports-map]").forEach(initMap);
  document.querySelectorAll("[data-bulk-form]").forEach(initSelectAll);
})();
