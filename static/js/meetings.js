/* Blisko — the meetings' maps. On a meeting's page: the place marked (read only). On the
 * police form: the chosen area's boundary, and a click marks the place, filling the latitude
 * and longitude fields (which work without JavaScript too). Needs leaflet.js and shared.js.
 */
(function () {
  "use strict";

  var Blisko = window.Blisko;

  function number(value) {
    var parsed = parseFloat(String(value || "").replace(",", "."));
    return isFinite(parsed) ? parsed : null;
  }

  function showPlace(element) {
    var lat = number(element.dataset.lat), lon = number(element.dataset.lon);
    if (lat === null || lon === null) { return; }
    var map = Blisko.createMap(element);
    L.circleMarker([lat, lon], { radius: 9, color: "#1f4e8c", weight: 3, fillOpacity: 0.6 }).addTo(map);
    map.setView([lat, lon], 15);
    element.dataset.ready = "1";
  }

  function picker(element) {
    var form = element.closest("form");
    var latInput = form.querySelector("[data-lat]");
    var lonInput = form.querySelector("[data-lon]");
    var areaSelect = form.querySelector("select[name='area']");
    var template = element.dataset.boundaryUrlTemplate || "";
    var map = Blisko.createMap(element);
    var marker = null, outline = null;

    function place(lat, lon) {
      if (marker) { marker.setLatLng([lat, lon]); }
      else { marker = L.circleMarker([lat, lon], { radius: 9, color: "#1f4e8c", weight: 3, fillOpacity: 0.6 }).addTo(map); }
    }

    function fromInputs() {
      var lat = number(latInput.value), lon = number(lonInput.value);
      if (lat !== null && lon !== null) { place(lat, lon); return [lat, lon]; }
      return null;
    }

    function loadArea() {
      var id = areaSelect && areaSelect.value;
      if (outline) { map.removeLayer(outline); outline = null; }
      if (!id || !template) { map.fitBounds(Blisko.START_BOUNDS); return; }
      Blisko.getJson(template.replace("/0/", "/" + encodeURIComponent(id) + "/"))
        .catch(function () { return null; })
        .then(function (shape) {
          var chosen = fromInputs();
          if (shape) {
            outline = L.geoJSON(shape, { style: Blisko.REGION_OVER_TILES, interactive: false }).addTo(map);
            map.fitBounds(outline.getBounds(), { padding: [16, 16], maxZoom: 16 });
          } else if (chosen) {
            map.setView(chosen, 15);
          } else {
            map.fitBounds(Blisko.START_BOUNDS);
          }
          element.dataset.ready = "1";
        });
    }

    map.on("click", function (event) {
      latInput.value = event.latlng.lat.toFixed(6);
      lonInput.value = event.latlng.lng.toFixed(6);
      place(event.latlng.lat, event.latlng.lng);
    });
    [latInput, lonInput].forEach(function (input) { input.addEventListener("change", fromInputs); });
    if (areaSelect) { areaSelect.addEventListener("change", loadArea); }
    var clear = form.querySelector("[data-place-clear]");
    if (clear) {
      clear.hidden = false;
      clear.addEventListener("click", function () {
        latInput.value = ""; lonInput.value = "";
        if (marker) { map.removeLayer(marker); marker = null; }
      });
    }
    loadArea();
  }

  /* The form's note of the time zone follows the area chosen (Kyiv or Warsaw time). */
  function zoneHint(hint) {
    var source = document.getElementById(hint.dataset.zoneHint);
    var select = hint.closest("form").querySelector("select[name='area']");
    if (!source || !select) { return; }
    var zones = JSON.parse(source.textContent);
    function show() {
      if (zones[select.value]) { hint.textContent = Blisko.format(hint.dataset.template, { zone: zones[select.value] }); }
    }
    select.addEventListener("change", show);
    show();
  }

  function start() {
    document.querySelectorAll("[data-zone-hint]").forEach(zoneHint);
    document.querySelectorAll("[data-meeting-map]").forEach(showPlace);
    document.querySelectorAll("[data-meeting-picker]").forEach(picker);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
