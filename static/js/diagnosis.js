/* Blisko — the diagnosis page: the hotspot cells (H3 hexagons coloured by their Gi* class)
 * over the area's boundary. The page works without it (the table, the charts, the counts).
 * No external requests: tiles only if the site sets a tile URL. Needs js/shared.js first.
 * The map marks itself data-ready="1" once drawn.
 */
(function () {
  "use strict";

  var Blisko = window.Blisko;
  var COLOURS = { hot: "#c0392b", cold: "#2e6fb7", none: "#b8b2a6" };

  function readJson(id) {
    var element = document.getElementById(id);
    if (!element) { return null; }
    try { return JSON.parse(element.textContent); } catch (error) { return null; }
  }

  function style(feature) {
    var kind = feature.properties["class"];
    return {
      color: kind === "none" ? "#8c8678" : COLOURS[kind],
      weight: kind === "none" ? 0.5 : 1,
      fillColor: COLOURS[kind] || COLOURS.none,
      fillOpacity: kind === "none" ? 0.35 : 0.7,
      className: "hotspot-cell hotspot-cell--" + kind,
    };
  }

  function describe(properties) {
    var box = document.createElement("div");
    [
      "H3 " + properties.h3,
      "n = " + properties.count,
      "Gi* z = " + (properties.gi_z === null ? "—" : properties.gi_z.toFixed(2)),
      "q = " + (properties.q_value === null ? "—" : properties.q_value.toPrecision(2)),
    ].forEach(function (text) {
      var line = document.createElement("div");
      line.textContent = text;
      box.appendChild(line);
    });
    return box;
  }

  function initMap(element) {
    var cells = readJson(element.dataset.cells) || { type: "FeatureCollection", features: [] };
    var map = Blisko.createMap(element);
    var layer = L.geoJSON(cells, {
      style: style,
      onEachFeature: function (feature, path) {
        path.bindPopup(describe(feature.properties));
      },
    });
    var boundary = element.dataset.boundaryUrl
      ? Blisko.getJson(element.dataset.boundaryUrl).catch(function () { return null; })
      : Promise.resolve(null);
    boundary.then(function (shape) {
      if (shape) {
        L.geoJSON(shape, { style: Blisko.REGION_OVER_TILES, interactive: false }).addTo(map);
      }
      layer.addTo(map);
      if (cells.features.length) {
        map.fitBounds(layer.getBounds(), { padding: [16, 16], maxZoom: 15 });
      } else {
        map.fitBounds(Blisko.START_BOUNDS);
      }
      element.dataset.ready = "1";
    });
  }

  document.querySelectorAll("[data-hotspot-map]").forEach(initMap);
})();
