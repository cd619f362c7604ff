/* Blisko — the coverage page's map: the region's communities coloured by what they have today
 * (a primary officer, a memorandum in force, both, neither). The outlines come from
 * coverage:communities (data-url), simplified for the map's zoom: fetched once fitted, and again
 * at a finer zoom when the user zooms in. The page works without it (the table and the list of
 * communities). No external requests: tiles only if the site sets a tile URL. Needs
 * js/shared.js first. Marks the map data-ready="1" once drawn, with data-features="<n>". */
(function () {
  "use strict";

  var Blisko = window.Blisko;

  function readJson(id) {
    var element = id ? document.getElementById(id) : null;
    if (!element) { return null; }
    try { return JSON.parse(element.textContent); } catch (error) { return null; }
  }

  function describe(properties) {
    var box = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = properties.name;
    box.appendChild(name);
    [properties.code + (properties.district ? " · " + properties.district : ""), properties.label]
      .forEach(function (text) {
        var line = document.createElement("div");
        line.textContent = text;
        box.appendChild(line);
      });
    return box;
  }

  function initMap(element) {
    var colours = readJson(element.dataset.colours) || {};
    var bounds = readJson(element.dataset.bounds);
    var map = Blisko.createMap(element);
    var layer = null;
    var loadedZoom = -1;
    var pending = null;

    function style(feature) {
      var kind = feature.properties["class"];
      return {
        color: "#4d4d4d",
        weight: 1,
        fillColor: colours[kind] || colours.neither || "#bbbbbb",
        fillOpacity: 0.75,
        className: "coverage-community coverage-community--" + kind,
      };
    }

    function load(zoom) {
      if (pending) { pending.abort(); }
      pending = new AbortController();
      var url = element.dataset.url + "&zoom=" + zoom;
      return Blisko.getJson(url, pending.signal).then(function (shapes) {
        pending = null;
        if (!shapes) { return; }
        var next = L.geoJSON(shapes, {
          style: style,
          onEachFeature: function (feature, path) {
            path.bindTooltip(feature.properties.name, { sticky: true });
            path.bindPopup(describe(feature.properties));
          },
        });
        if (layer) { map.removeLayer(layer); }
        layer = next.addTo(map);
        loadedZoom = zoom;
        element.dataset.features = String(shapes.features.length);
        element.dataset.zoom = String(zoom);
        return layer;
      }).catch(function (error) {
        if (error && error.name === "AbortError") { return; }
        element.dataset.error = "1";
        var notice = document.querySelector("[data-map-error]");
        if (notice && !layer) { notice.hidden = false; }
      });
    }

    map.fitBounds(bounds || Blisko.START_BOUNDS, { padding: [12, 12] });
    load(Math.max(0, Math.floor(map.getZoom()))).then(function () {
      if (!bounds && layer && layer.getLayers().length) {
        map.fitBounds(layer.getBounds(), { padding: [12, 12] });
      }
      element.dataset.ready = "1";
    });
    map.on("zoomend", function () {
      var zoom = Math.floor(map.getZoom());
      if (zoom > loadedZoom) { load(zoom); }
    });
  }

  document.querySelectorAll("[data-coverage-map]").forEach(initMap);
})();
