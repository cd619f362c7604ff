/* Blisko — the plan pages' map. On the plan form: the area's boundary and the diagnosis' hot
 * cells; with "chosen cells" a click on a hot cell toggles it, with "a drawn polygon" each click
 * adds a corner; the choice goes into the hidden fields place_cells / place_polygon. On a
 * plan's page (data-readonly): the place, its ring and the hot cells. The form works without
 * the map for a whole-area plan. Needs js/shared.js first. Marks itself data-ready="1". */
(function () {
  "use strict";

  var Blisko = window.Blisko;
  var STYLES = {
    place: { color: "#1f5f99", weight: 2, fillColor: "#2e6fb7", fillOpacity: 0.35 },
    ring: { color: "#8c6d1f", weight: 1, dashArray: "4 3", fillColor: "#e0b94a", fillOpacity: 0.25 },
    hot: { color: "#a93226", weight: 1, fillColor: "#c0392b", fillOpacity: 0.45 },
    chosen: { color: "#1f5f99", weight: 2, fillColor: "#2e6fb7", fillOpacity: 0.6 },
  };

  function readJson(id) {
    var element = document.getElementById(id);
    if (!element) { return null; }
    try { return JSON.parse(element.textContent); } catch (error) { return null; }
  }

  function field(name) { return document.querySelector("[name='" + name + "']"); }

  function placeKind() {
    var checked = document.querySelector("input[name='place_kind']:checked");
    return checked ? checked.value : "area";
  }

  function initMap(element) {
    var shapes = readJson(element.dataset.cells) || { type: "FeatureCollection", features: [] };
    var readonly = element.dataset.readonly === "1";
    var map = Blisko.createMap(element);
    var chosen = {};
    var corners = [];
    var drawn = null;
    var cellsField = field("place_cells");
    var polygonField = field("place_polygon");
    var count = document.querySelector("[data-place-count]");

    (cellsField && cellsField.value ? cellsField.value.split(",") : []).forEach(function (cell) {
      if (cell) { chosen[cell] = true; }
    });

    function styleOf(feature) {
      if (readonly) { return STYLES[feature.properties.kind] || STYLES.hot; }
      return chosen[feature.properties.h3] ? STYLES.chosen : STYLES.hot;
    }

    var layer = L.geoJSON(shapes, {
      style: styleOf,
      onEachFeature: function (feature, path) {
        if (readonly) { return; }
        path.on("click", function (event) {
          if (placeKind() !== "cells") { addCorner(event.latlng); return; }
          var cell = feature.properties.h3;
          if (chosen[cell]) { delete chosen[cell]; } else { chosen[cell] = true; }
          layer.setStyle(styleOf);
          save();
        });
      },
    });

    function save() {
      var cells = Object.keys(chosen).sort();
      if (cellsField) { cellsField.value = cells.join(","); }
      if (polygonField) {
        polygonField.value = corners.length >= 3 ? JSON.stringify({
          type: "Polygon",
          coordinates: [corners.concat([corners[0]])],
        }) : "";
      }
      if (count) {
        count.textContent = placeKind() === "cells" ? cells.length + " ✓" :
          placeKind() === "polygon" ? corners.length + " •" : "";
      }
    }

    function addCorner(latlng) {
      if (readonly || placeKind() !== "polygon") { return; }
      corners.push([Math.round(latlng.lng * 1e6) / 1e6, Math.round(latlng.lat * 1e6) / 1e6]);
      if (drawn) { map.removeLayer(drawn); }
      drawn = L.polygon(corners.map(function (c) { return [c[1], c[0]]; }), STYLES.place).addTo(map);
      save();
    }

    if (polygonField && polygonField.value) {
      try {
        var shape = JSON.parse(polygonField.value);
        var ring = shape.type === "Polygon" ? shape.coordinates[0] : shape.coordinates[0][0];
        corners = ring.slice(0, -1);
        drawn = L.polygon(corners.map(function (c) { return [c[1], c[0]]; }), STYLES.place).addTo(map);
      } catch (error) { corners = []; }
    }

    map.on("click", function (event) { addCorner(event.latlng); });
    var clear = document.querySelector("[data-place-clear]");
    if (clear) {
      clear.addEventListener("click", function () {
        chosen = {};
        corners = [];
        if (drawn) { map.removeLayer(drawn); drawn = null; }
        layer.setStyle(styleOf);
        save();
      });
    }
    document.querySelectorAll("input[name='place_kind']").forEach(function (radio) {
      radio.addEventListener("change", save);
    });

    var boundary = element.dataset.boundaryUrl
      ? Blisko.getJson(element.dataset.boundaryUrl).catch(function () { return null; })
      : Promise.resolve(null);
    boundary.then(function (outline) {
      var bounds = null;
      if (outline) {
        var edge = L.geoJSON(outline, { style: Blisko.REGION_OVER_TILES, interactive: false }).addTo(map);
        bounds = edge.getBounds();
      }
      layer.addTo(map);
      if (shapes.features.length) {
        bounds = bounds ? bounds.extend(layer.getBounds()) : layer.getBounds();
      }
      map.fitBounds(bounds || Blisko.START_BOUNDS, { padding: [16, 16], maxZoom: 15 });
      save();
      element.dataset.ready = "1";
    });
  }

  document.querySelectorAll("[data-plan-map]").forEach(initMap);
})();
