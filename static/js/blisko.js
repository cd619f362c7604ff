/* Blisko — small progressive enhancements for the resident-facing pages.
 *
 * Every page works without this file: the search form submits to a results page and the
 * officer page is rendered on the server. This adds suggestions as you type, "use my
 * location" and the Leaflet maps. No build step, no external requests. Needs js/shared.js
 * before it.
 */
(function () {
  "use strict";

  var SUGGEST_DELAY_MS = 200;
  var SUGGEST_MIN_CHARS = 2;
  var OUTLINE_STYLE = { color: "#1b4fd6", weight: 1.2, opacity: 0.8, fillColor: "#1b4fd6", fillOpacity: 0.06 };
  var OUTLINE_HOVER = { weight: 2.5, fillOpacity: 0.18 };
  var SERVICE_STYLE = { color: "#c2410c", weight: 1.6, opacity: 0.9, fillColor: "#c2410c", fillOpacity: 0.08, dashArray: "4 3" };
  var AREA_STYLE = { className: "area-boundary", color: "#1b4fd6", weight: 3, opacity: 1, fillColor: "#1b4fd6", fillOpacity: 0.14 };
  var CONTEXT_STYLE = { color: "#9aa6b8", weight: 0.8, opacity: 0.9, fill: false };
  // Shared with the other pages (js/shared.js, loaded first).
  var Blisko = window.Blisko;
  var format = Blisko.format;
  var getJson = Blisko.getJson;
  var outlineUrl = Blisko.outlineUrl;
  var createMap = Blisko.createMap;
  var START_BOUNDS = Blisko.START_BOUNDS;

  function officerUrl(base, lat, lon) {
    return base + "?lat=" + lat.toFixed(6) + "&lon=" + lon.toFixed(6);
  }

  /* Maps */

  /* The land under everything: regions filled white on the grey "sea" of the map. */
  function addBackground(map, outlinesUrl, withCommunities) {
    var regions = Blisko.getOutlines(outlinesUrl, "region");
    var context = withCommunities ? ["community", "service_area"] : [];
    var others = context.map(function (level) { return Blisko.getOutlines(outlinesUrl, level); });
    var regionStyle = document.body.dataset.tileUrl ? Blisko.REGION_OVER_TILES : Blisko.REGION_STYLE;
    return Promise.all([regions].concat(others)).then(function (layers) {
      layers.forEach(function (data, index) {
        if (data) {
          L.geoJSON(data, { style: index ? CONTEXT_STYLE : regionStyle, interactive: false }).addTo(map);
        }
      });
    });
  }

  function initHomeMap(element) {
    var base = element.dataset.officerUrl;
    var outlinesUrl = element.dataset.outlinesUrl;
    var map = createMap(element);
    map.fitBounds(START_BOUNDS);

    function outlines(data, style) {
      var layer = L.geoJSON(data, {
        style: style,
        onEachFeature: function (feature, path) {
          var name = feature.properties && feature.properties.name;
          if (name) {
            path.bindTooltip(name, { sticky: true, direction: "top", opacity: 0.95 });
          }
          path.on("mouseover", function () { path.setStyle(OUTLINE_HOVER); });
          path.on("mouseout", function () { layer.resetStyle(path); });
        },
      });
      return layer.addTo(map);
    }

    // Until the resident moves the map, it keeps every community in view as its size changes
    // (a phone turned sideways).
    var fitOutlines = null;
    var moved = false;
    ["mousedown", "touchstart", "keydown", "wheel"].forEach(function (name) {
      element.addEventListener(name, function () { moved = true; }, { passive: true });
    });
    map.on("resize", function () {
      if (fitOutlines && !moved) { fitOutlines(); }
    });

    var communities = getJson(outlineUrl(outlinesUrl, "community"));
    var serviceAreas = Blisko.getOutlines(outlinesUrl, "service_area");
    addBackground(map, outlinesUrl, false)
      .then(function () { return communities; })
      .then(function (data) {
        var layer = outlines(data, OUTLINE_STYLE);
        if (layer.getLayers().length) {
          fitOutlines = function () { map.fitBounds(layer.getBounds(), { padding: [8, 8] }); };
          fitOutlines();
        }
        return serviceAreas;
      })
      .then(function (data) {
        if (data) { outlines(data, SERVICE_STYLE); }
      })
      .catch(function () { /* The search still works without the outlines. */ })
      .then(function () { element.dataset.ready = "1"; });

    map.on("click", function (event) {
      var point = event.latlng.wrap();
      window.location.href = officerUrl(base, point.lat, point.lng);
    });

    var centreButton = document.querySelector("[data-map-centre]");
    if (centreButton) {
      centreButton.hidden = false;
      centreButton.addEventListener("click", function () {
        var centre = map.getCenter().wrap();
        window.location.href = officerUrl(base, centre.lat, centre.lng);
      });
    }
  }

  function initAreaMap(element) {
    var lat = parseFloat(element.dataset.lat);
    var lon = parseFloat(element.dataset.lon);
    var map = createMap(element);
    var hasPoint = isFinite(lat) && isFinite(lon);
    if (hasPoint) {
      map.setView([lat, lon], 11);
    } else {
      map.fitBounds(START_BOUNDS);
    }

    var boundary = element.dataset.boundaryUrl
      ? getJson(element.dataset.boundaryUrl).catch(function () { return null; })
      : Promise.resolve(null);
    var background = element.dataset.outlinesUrl
      ? addBackground(map, element.dataset.outlinesUrl, true)
      : Promise.resolve();

    background
      .then(function () { return boundary; })
      .then(function (feature) {
        if (!feature) { return; }
        var layer = L.geoJSON(feature, { style: AREA_STYLE, interactive: false }).addTo(map);
        // Some of the surroundings too, so the area is seen in its place.
        map.fitBounds(layer.getBounds().pad(0.25), { maxZoom: 15 });
      })
      .then(function () {
        if (hasPoint) {
          L.circleMarker([lat, lon], {
            radius: 8, color: "#ffffff", weight: 3, fillColor: "#c2410c", fillOpacity: 1,
            interactive: false,
          }).addTo(map);
        }
        element.dataset.ready = "1";
      });
  }

  /* Place search with suggestions (the WAI-ARIA combobox pattern). */

  function initSearch(form) {
    var input = form.querySelector("[role=combobox]");
    var list = form.querySelector("[role=listbox]");
    var status = form.querySelector("[role=status]");
    var searchUrl = form.dataset.searchUrl;
    var base = form.dataset.officerUrl;
    if (!input || !list || !searchUrl) { return; }

    var places = [];
    var active = -1;
    var timer = null;
    var controller = null;
    var shownFor = null;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open() {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function setActive(index) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) { return; }
      active = (index + options.length) % options.length;
      options.forEach(function (option, i) {
        var on = i === active;
        option.classList.toggle("is-active", on);
        option.setAttribute("aria-selected", on ? "true" : "false");
        if (on) {
          input.setAttribute("aria-activedescendant", option.id);
          option.scrollIntoView({ block: "nearest" });
        }
      });
    }

    function choose(place) {
      close();
      input.value = place.name;
      window.location.href = base + "?place=" + encodeURIComponent(place.id);
    }

    function where(place) {
      var parts = [];
      [place.community, place.district, place.region].forEach(function (name) {
        if (name && name !== place.name && parts.indexOf(name) === -1) { parts.push(name); }
      });
      // Community and region are enough to tell apart villages of one name.
      if (parts.length > 2) { parts.splice(1, parts.length - 2); }
      return parts.join(", ");
    }

    function message(text) {
      list.innerHTML = "";
      var item = document.createElement("li");
      item.className = "suggestion suggestion--empty";
      item.textContent = text;
      list.appendChild(item);
      places = [];
      open();
      status.textContent = text;
    }

    function render(results) {
      places = results;
      active = -1;
      list.innerHTML = "";
      input.removeAttribute("aria-activedescendant");
      if (!results.length) {
        message(form.dataset.msgNone);
        return;
      }
      results.forEach(function (place, index) {
        var option = document.createElement("li");
        option.className = "suggestion";
        option.id = "place-option-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.placeId = place.id;

        var name = document.createElement("span");
        name.className = "suggestion__name";
        name.textContent = place.name;
        var line = document.createElement("span");
        line.className = "suggestion__where";
        var kind = document.createElement("span");
        kind.className = "suggestion__kind";
        kind.textContent = place.kind_label || place.kind || "";
        line.appendChild(kind);
        line.appendChild(document.createTextNode(where(place)));
        option.appendChild(name);
        option.appendChild(line);

        // mousedown, not click: it fires before the input loses focus.
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(place);
        });
        list.appendChild(option);
      });
      open();
      status.textContent = format(form.dataset.msgCount, { count: results.length });
    }

    function suggest() {
      var query = input.value.trim();
      if (query.length < SUGGEST_MIN_CHARS) {
        shownFor = null;
        close();
        return;
      }
      if (query === shownFor && !list.hidden) { return; }
      if (controller) { controller.abort(); }
      controller = typeof AbortController === "function" ? new AbortController() : null;
      getJson(searchUrl + "?q=" + encodeURIComponent(query), controller && controller.signal)
        .then(function (results) {
          if (input.value.trim() !== query) { return; }
          shownFor = query;
          render(Array.isArray(results) ? results : (results && results.results) || []);
        })
        .catch(function (error) {
          if (error.name === "AbortError") { return; }
          shownFor = null;
          message(error.status === 400 && error.message ? error.message : form.dataset.msgError);
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(suggest, SUGGEST_DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      var count = list.querySelectorAll("[role=option]").length;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) { suggest(); return; }
        setActive(active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (!list.hidden) { setActive(active - 1); }
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0 && places[active]) {
          event.preventDefault();
          choose(places[active]);
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        }
      } else if (event.key === "Tab" && count) {
        close();
      }
    });

    input.addEventListener("blur", function () {
      window.setTimeout(close, 150);
    });

    input.addEventListener("focus", function () {
      if (places.length && input.value.trim() === shownFor) { open(); }
    });
  }

  /* Use my location */

  function initLocate(box) {
    if (!("geolocation" in navigator)) { return; }
    var button = box.querySelector("[data-locate-button]");
    var status = box.querySelector("[data-locate-status]");
    var base = box.dataset.officerUrl;
    box.hidden = false;

    button.addEventListener("click", function () {
      button.disabled = true;
      status.classList.remove("is-error");
      status.textContent = box.dataset.msgLocating;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          window.location.href = officerUrl(base, position.coords.latitude, position.coords.longitude);
        },
        function (error) {
          button.disabled = false;
          status.classList.add("is-error");
          status.textContent = error.code === 1 ? box.dataset.msgDenied : box.dataset.msgFailed;
        },
        { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 }
      );
    });
  }

  function init() {
    document.querySelectorAll("form[data-search-url]").forEach(initSearch);
    document.querySelectorAll("[data-locate]").forEach(initLocate);
    if (window.L) {
      document.querySelectorAll("[data-home-map]").forEach(initHomeMap);
      document.querySelectorAll("[data-area-map]").forEach(initAreaMap);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
