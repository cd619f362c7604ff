/* Blisko — the resident's report pages.
 *
 * The form works without this file: the place is two number fields and the server checks
 * everything. This adds the map to click (or "use my location"), the live character counter,
 * a hint for categories whose place the public map hides, the checks of the files before
 * sending, the browser's time zone for the time of the event, and the map on a report's page.
 * No build step, no external requests. Needs js/shared.js before it.
 */
(function () {
  "use strict";

  var COMMUNITY_STYLE = { color: "#1b4fd6", weight: 1, opacity: 0.7, fillColor: "#1b4fd6", fillOpacity: 0.04 };
  var MARKER_STYLE = { radius: 9, color: "#ffffff", weight: 3, fillColor: "#c2410c", fillOpacity: 1, interactive: false };
  var CLICK_ZOOM = 15;
  // Shared with the other pages (js/shared.js, loaded first).
  var Blisko = window.Blisko;
  var format = Blisko.format;
  var createMap = Blisko.createMap;
  var START_BOUNDS = Blisko.START_BOUNDS;

  /* Regions filled white on the grey "sea", communities outlined on top. Resolves with the
     communities' layer (or null). One request after the other, so that a small server (one
     SQLite connection) is never asked twice at once. */
  function addBackground(map, outlinesUrl) {
    if (!outlinesUrl) { return Promise.resolve(null); }
    return Blisko.getOutlines(outlinesUrl, "region")
      .then(function (regions) {
        if (regions) { L.geoJSON(regions, { style: Blisko.REGION_STYLE, interactive: false }).addTo(map); }
        return Blisko.getOutlines(outlinesUrl, "community");
      })
      .then(function (communities) {
        if (!communities) { return null; }
        return L.geoJSON(communities, { style: COMMUNITY_STYLE, interactive: false }).addTo(map);
      });
  }

  function readPoint(latInput, lonInput) {
    var lat = parseFloat((latInput.value || "").replace(",", "."));
    var lon = parseFloat((lonInput.value || "").replace(",", "."));
    if (!isFinite(lat) || !isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) { return null; }
    return L.latLng(lat, lon);
  }

  /* The form: map, counter, files, time zone */

  function initPlace(form) {
    var element = form.querySelector("[data-report-map]");
    var latInput = form.querySelector("[data-lat]");
    var lonInput = form.querySelector("[data-lon]");
    var status = form.querySelector("[data-place-status]");
    if (!element || !latInput || !lonInput || !window.L) { return; }
    var map = createMap(element);
    var marker = null;

    function show(point, pan) {
      if (marker) {
        marker.setLatLng(point);
      } else {
        marker = L.circleMarker(point, MARKER_STYLE).addTo(map);
        marker.getElement().setAttribute("data-report-marker", "");
      }
      if (pan) { map.setView(point, Math.max(map.getZoom(), CLICK_ZOOM), { animate: false }); }
      status.textContent = format(form.dataset.msgPlaceChosen, { lat: point.lat.toFixed(5), lon: point.lng.toFixed(5) });
    }

    function choose(point) {
      point = point.wrap();
      latInput.value = point.lat.toFixed(6);
      lonInput.value = point.lng.toFixed(6);
      show(point, false);
    }

    var start = readPoint(latInput, lonInput);
    if (start) {
      map.setView(start, CLICK_ZOOM);
      show(start, false);
    } else {
      map.fitBounds(START_BOUNDS);
    }
    addBackground(map, element.dataset.outlinesUrl)
      .then(function (communities) {
        if (!start && communities && communities.getLayers().length) {
          map.fitBounds(communities.getBounds(), { padding: [8, 8] });
        }
      })
      .catch(function () { /* The fields still work without the outlines. */ })
      .then(function () { element.dataset.ready = "1"; });

    map.on("click", function (event) { choose(event.latlng); });
    [latInput, lonInput].forEach(function (input) {
      input.addEventListener("change", function () {
        var point = readPoint(latInput, lonInput);
        if (point) { show(point, true); }
      });
    });

    var locate = form.querySelector("[data-report-locate]");
    if (locate && "geolocation" in navigator) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        locate.disabled = true;
        status.textContent = form.dataset.msgLocating;
        navigator.geolocation.getCurrentPosition(
          function (position) {
            locate.disabled = false;
            var point = L.latLng(position.coords.latitude, position.coords.longitude);
            choose(point);
            map.setView(point, CLICK_ZOOM, { animate: false });
          },
          function () {
            locate.disabled = false;
            status.textContent = form.dataset.msgLocateFailed;
          },
          { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
        );
      });
    }
  }

  function length(text) {
    // As the server counts: characters (not UTF-16 units), Windows line ends as one.
    return Array.from(text.replace(/\r\n/g, "\n").trim()).length;
  }

  function initCounter(form) {
    var area = form.querySelector("[data-description]");
    var counter = form.querySelector("[data-description-count]");
    var max = parseInt(form.dataset.descriptionMax, 10);
    if (!area || !counter || !max) { return; }
    function update() {
      var count = length(area.value);
      var over = count - max;
      counter.textContent = over > 0
        ? format(form.dataset.msgOver, { over: over })
        : format(form.dataset.msgCount, { count: count, max: max });
      counter.classList.toggle("is-over", over > 0);
    }
    area.addEventListener("input", update);
    update();
  }

  function initPrecisionHint(form) {
    var select = form.querySelector("[data-category]");
    var hint = form.querySelector("[data-precision-hint]");
    if (!select || !hint) { return; }
    function update() {
      var option = select.options[select.selectedIndex];
      var precision = option && option.dataset.precision;
      hint.hidden = !precision || precision === "exact";
    }
    select.addEventListener("change", update);
    update();
  }

  /* The files' problems before sending (the server checks again, by content). */
  function fileProblems(form, input) {
    var files = Array.prototype.slice.call(input.files || []);
    var maxFiles = parseInt(form.dataset.maxFiles, 10);
    var maxBytes = parseInt(form.dataset.maxFileBytes, 10);
    var problems = [];
    if (files.length > maxFiles) { problems.push(form.dataset.msgTooManyFiles); }
    files.forEach(function (file) {
      if (file.size === 0) {
        problems.push(format(form.dataset.msgEmptyFile, { name: file.name }));
      } else if (file.size > maxBytes) {
        problems.push(format(form.dataset.msgFileTooBig, { name: file.name, limit: form.dataset.maxFileMb }));
      }
    });
    return problems;
  }

  function initFiles(form) {
    var input = form.querySelector("[data-files]");
    var status = form.querySelector("[data-files-status]");
    if (!input || !status) { return; }
    input.addEventListener("change", function () {
      var problems = fileProblems(form, input);
      status.textContent = problems.join(" ");
      status.classList.toggle("is-error", problems.length > 0);
    });
  }

  function initSubmit(form) {
    var button = form.querySelector("[data-report-send]");
    var occurred = form.querySelector("[data-occurred-at]");
    var offset = form.querySelector("[data-tz-offset]");
    var files = form.querySelector("[data-files]");
    form.addEventListener("submit", function (event) {
      if (files) {
        var problems = fileProblems(form, files);
        if (problems.length) {
          event.preventDefault();
          var status = form.querySelector("[data-files-status]");
          status.textContent = problems.join(" ");
          status.classList.add("is-error");
          files.focus();
          return;
        }
      }
      if (occurred && offset) {
        // The offset of the chosen moment (summer or winter time), as the server reads it.
        var moment = occurred.value ? new Date(occurred.value) : null;
        offset.value = moment && isFinite(moment.getTime()) ? String(moment.getTimezoneOffset()) : "";
      }
      // Sending twice is harmless (the same idempotency key), but say it is on its way.
      if (button) { window.setTimeout(function () { button.disabled = true; }, 0); }
    });
  }

  function initForm(form) {
    initPlace(form);
    initCounter(form);
    initPrecisionHint(form);
    initFiles(form);
    initSubmit(form);
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
  }

  /* A report's page: where it is, in its status colour */

  function initTrackMap(element) {
    var lat = parseFloat(element.dataset.lat);
    var lon = parseFloat(element.dataset.lon);
    if (!isFinite(lat) || !isFinite(lon)) { return; }
    var map = createMap(element);
    var approximate = element.dataset.approximate === "1";
    var colour = element.dataset.colour || "#2e9d46";
    // Over map tiles the streets around the place say where it is; on the plain background
    // only the community's outline can, so the view is wide enough to show it.
    map.setView([lat, lon], document.body.dataset.tileUrl ? (approximate ? 14 : 15) : 12);
    addBackground(map, element.dataset.outlinesUrl)
      .catch(function () { return null; })
      .then(function () {
        if (approximate) {
          L.circle([lat, lon], { radius: 250, color: colour, weight: 2, fillColor: colour, fillOpacity: 0.2, interactive: false }).addTo(map);
        } else {
          L.circleMarker([lat, lon], { radius: 10, color: "#ffffff", weight: 3, fillColor: colour, fillOpacity: 1, interactive: false }).addTo(map);
        }
        element.dataset.ready = "1";
      });
  }

  function init() {
    document.querySelectorAll("form[data-report-form]").forEach(initForm);
    if (window.L) {
      document.querySelectorAll("[data-report-track-map]").forEach(initTrackMap);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
