/* Blisko — the public threat map.
 *
 * Asks GET /api/v1/map for the viewport (and the filters of the form beside the map) after
 * every move, and draws what it gets: reports as dots coloured by status when zoomed in,
 * or counted cells (a ring of status colours around the count) when zoomed out. A dot's
 * popup shows the category, status, date and how many residents have seen it too, with the
 * "I have seen this too" button (POST /api/v1/reports/{code}/seen). No external requests:
 * with no tile URL set, area outlines draw on a plain background.
 *
 * Outlines (GET /api/v1/areas/outlines) come for the view and a margin around it, simplified
 * for the zoom. Each level keeps what it holds by area id and the boxes it asked for at this
 * zoom: a view inside one of them asks for nothing; panning out of them asks only for the
 * areas not met by the box it overlaps most (`known`), and nothing held is drawn again. A new
 * zoom asks for the view again and replaces the outlines with ones of its detail.
 */
(function () {
  "use strict";

  // Without a tile layer the regions are the land: filled white on the map's grey. Over tiles
  // they are lines only, so the tiles show through.
  var REGION_STYLE = { color: "#7d8aa0", weight: 1.5, opacity: 0.9, fillColor: "#ffffff", fillOpacity: 1 };
  var REGION_OVER_TILES = { color: "#7d8aa0", weight: 1.5, opacity: 0.9, fill: false };
  var COMMUNITY_STYLE = { color: "#9aa6b8", weight: 0.8, opacity: 0.9, fill: false };
  // Each level of outlines draws in a pane of its own, under the reports (overlayPane, 400):
  // communities above the regions' fill whichever of the two answers arrives first.
  var OUTLINE_PANES = { region: 300, community: 350 };
  var START_BOUNDS = [[44.0, 14.0], [54.9, 40.3]]; // Ukraine and Poland
  var MOVE_DELAY_MS = 150;
  // Outlines are asked for the view widened by this share of its size on each side...
  var OUTLINE_MARGIN = 0.25;
  // ...within what the API allows a view at zoom 4 and above (MAX_VIEWPORT_TILES tiles of
  // 360 / 2**zoom degrees: blisko/reports/selectors/public.py).
  var MAX_VIEW_TILES = 16;
  var ANY_VIEW_ZOOM = 4;

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function getJson(url, signal) {
    return fetch(url, { headers: { Accept: "application/json" }, signal: signal, credentials: "same-origin" })
      .then(function (response) {
        return response.json().catch(function () { return null; }).then(function (body) {
          if (!response.ok) {
            var error = new Error((body && body.message) || response.statusText);
            error.status = response.status;
            error.extra = (body && body.extra) || {};
            throw error;
          }
          return body;
        });
      });
  }

  function clamp(value, low, high) {
    return Math.max(low, Math.min(high, value));
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function localDate(iso) {
    var parts = iso.split("-").map(Number);
    var day = new Date(parts[0], parts[1] - 1, parts[2]);
    try {
      return day.toLocaleDateString(document.documentElement.lang || undefined, { day: "numeric", month: "long", year: "numeric" });
    } catch (error) {
      return iso;
    }
  }

  function initMap(container) {
    var data = container.dataset;
    var form = document.querySelector("[data-map-filters]");
    var status = document.querySelector("[data-map-status]");
    var empty = document.querySelector("[data-map-empty]");
    var map = L.map(container, { zoomSnap: 1, keyboard: true, minZoom: 3, maxZoom: 19 });
    container.bliskoMap = map;
    var tiles = Boolean(document.body.dataset.tileUrl);
    if (tiles) {
      L.tileLayer(document.body.dataset.tileUrl, {
        attribution: document.body.dataset.tileAttribution || "", maxZoom: 19,
      }).addTo(map);
    }
    Object.keys(OUTLINE_PANES).forEach(function (level) {
      var pane = map.createPane("outlines-" + level);
      pane.style.zIndex = String(OUTLINE_PANES[level]);
      pane.style.pointerEvents = "none";
    });
    var pointLayer = L.layerGroup().addTo(map);
    var cells = L.layerGroup().addTo(map);
    var points = {};
    var labels = {};
    var controller = null;
    var timer = null;

    var lat = parseFloat(data.lat);
    var lon = parseFloat(data.lon);
    var placed = isFinite(lat) && isFinite(lon);
    if (placed) {
      map.setView([lat, lon], parseInt(data.zoom, 10) || 15);
    } else {
      map.fitBounds(START_BOUNDS);
    }

    /* The box of the view, clamped to what Web Mercator draws, west,south,east,north. */
    function viewBox() {
      var bounds = map.getBounds();
      return [
        clamp(bounds.getWest(), -180, 179.999999),
        clamp(bounds.getSouth(), -85, 84.999999),
        clamp(bounds.getEast(), -179.999999, 180),
        clamp(bounds.getNorth(), -84.999999, 85),
      ];
    }

    function boxParam(box) {
      return box.map(function (v) { return v.toFixed(6); }).join(",");
    }

    function inside(inner, outer) {
      return inner[0] >= outer[0] && inner[1] >= outer[1] && inner[2] <= outer[2] && inner[3] <= outer[3];
    }

    /* The view with OUTLINE_MARGIN around it, no larger than the API allows at `zoom`. */
    function outlineBox(view, zoom) {
      var limit = zoom >= ANY_VIEW_ZOOM ? MAX_VIEW_TILES * 360 / Math.pow(2, zoom) : Infinity;
      function widen(low, high, min, max) {
        var size = high - low;
        var margin = Math.max(0, Math.min(size * OUTLINE_MARGIN, (limit - size) / 2 - 1e-6));
        return [Math.max(min, low - margin), Math.min(max, high + margin)];
      }
      var x = widen(view[0], view[2], -180, 180);
      var y = widen(view[1], view[3], -85, 85);
      return [x[0], y[0], x[1], y[1]];
    }

    /* One level of outlines, drawn in its own pane as its answers arrive. `held` maps area
       ids to their layer and zoom; `boxes` are the boxes asked for at `zoom`, whose areas are
       all held. */
    function outlineLevel(level, style) {
      return {
        level: level, style: style, held: {}, zoom: null, boxes: [], controller: null, pending: false,
        group: L.featureGroup().addTo(map),
      };
    }

    function outlineCount(state) {
      return Object.keys(state.held).length;
    }

    function markOutlines() {
      container.dataset.outlines = outlineLevels.map(outlineCount).join(" ");
      var pending = outlineLevels.some(function (state) { return state.pending; });
      container.dataset.outlinesReady = pending ? "0" : "1";
    }

    function overlap(a, b) {
      return Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0])) *
        Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
    }

    /* Ask for the outlines of `state`'s level the view lacks; resolves once they are drawn
       (or when nothing was needed, or the request failed or was replaced). */
    function fetchOutlines(state) {
      var zoom = Math.round(map.getZoom());
      var view = viewBox();
      var boxes = state.zoom === zoom ? state.boxes : [];
      if (boxes.some(function (box) { return inside(view, box); })) {
        return Promise.resolve(state);
      }
      // As sent (six decimals), so that the box kept is the one the server answered for.
      var box = boxParam(outlineBox(view, zoom)).split(",").map(Number);
      // The areas meeting a box asked for before are held: leave out those of the box that
      // shares the most with this one.
      var known = null;
      boxes.forEach(function (held) {
        if (overlap(held, box) > (known ? overlap(known, box) : 0)) { known = held; }
      });
      var url = data.outlinesUrl + "?level=" + encodeURIComponent(state.level) +
        "&bbox=" + boxParam(box) + "&zoom=" + zoom + (known ? "&known=" + boxParam(known) : "");
      if (state.controller) { state.controller.abort(); }
      var controller = new AbortController();
      state.controller = controller;
      state.pending = true;
      markOutlines();
      return getJson(url, controller.signal)
        .then(function (geojson) {
          drawOutlines(state, geojson, zoom, state.zoom !== zoom);
          state.boxes = (state.zoom === zoom ? state.boxes : []).concat([box]).slice(-8);
          state.zoom = zoom;
        })
        .catch(function () { /* The map works without outlines. */ })
        .then(function () {
          if (state.controller === controller) {
            state.controller = null;
            state.pending = false;
          }
          markOutlines();
          return state;
        });
    }

    /* Draw an answer: new areas are added; an area held at another zoom is drawn anew; one
       held at this zoom stays as it is. The first answer at a new zoom (`fresh`) also lets go
       of the areas it does not hold. */
    function drawOutlines(state, geojson, zoom, fresh) {
      var seen = {};
      geojson.features.forEach(function (feature) {
        var id = feature.id;
        seen[id] = true;
        var item = state.held[id];
        if (item && item.zoom === zoom) { return; }
        if (item) { state.group.removeLayer(item.layer); }
        var layer = L.geoJSON(feature, { style: state.style, pane: "outlines-" + state.level, interactive: false });
        state.group.addLayer(layer);
        state.held[id] = { layer: layer, zoom: zoom };
      });
      if (fresh) {
        Object.keys(state.held).forEach(function (id) {
          if (!seen[id]) {
            state.group.removeLayer(state.held[id].layer);
            delete state.held[id];
          }
        });
      }
    }

    /* The filters as API parameters (statuses only when some are left out). */
    function filterParams() {
      var params = [];
      if (!form) { return params; }
      var boxes = Array.prototype.slice.call(form.querySelectorAll("[data-status-filter]"));
      var checked = boxes.filter(function (box) { return box.checked; }).map(function (box) { return box.value; });
      if (!checked.length) { return null; } // nothing to show
      if (checked.length < boxes.length) { params.push(["status", checked.join(",")]); }
      ["category", "area", "from", "to"].forEach(function (name) {
        var field = form.elements[name];
        if (field && field.value) { params.push([name, field.value]); }
      });
      return params;
    }

    function query(filters) {
      var params = [["bbox", boxParam(viewBox())], ["zoom", String(Math.round(map.getZoom()))]].concat(filters);
      return params.map(function (pair) {
        return encodeURIComponent(pair[0]) + "=" + encodeURIComponent(pair[1]);
      }).join("&");
    }

    function updateLegend(answer) {
      answer.legend.forEach(function (item) {
        labels[item.status] = item.label;
        var count = document.querySelector("[data-legend-count='" + item.status + "']");
        if (count) { count.textContent = item.count.toLocaleString(); }
      });
      var total = document.querySelector("[data-map-total]");
      if (total) { total.textContent = answer.total.toLocaleString(); }
    }

    function sendSeen(code, button, seenLine, note) {
      button.disabled = true;
      button.textContent = data.msgSending;
      fetch(data.seenUrl.replace(data.code, encodeURIComponent(code)), {
        method: "POST",
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (result) {
          if (result.ok) {
            seenLine.textContent = format(data.msgSeen, { count: result.body.seen_count });
            seenLine.dataset.seenCount = result.body.seen_count;
          }
          note.textContent = result.body.message || "";
          button.remove(); // (the class .button would show a hidden one)
        })
        .catch(function () {
          button.disabled = false;
          button.textContent = data.msgSeenButton;
          note.textContent = data.msgFailed;
        });
    }

    function popup(feature, categories) {
      var p = feature.properties;
      var box = element("div", "report-popup");
      box.dataset.reportCode = p.code;
      box.appendChild(element("p", "report-popup__category", categories[p.category] || p.category));
      var badge = element("p", "report-popup__status");
      var dot = element("span", "report-popup__dot");
      dot.style.background = p.colour;
      badge.appendChild(dot);
      badge.appendChild(document.createTextNode(labels[p.status] || p.status));
      box.appendChild(badge);
      box.appendChild(element("p", "report-popup__date", format(data.msgReported, { date: localDate(p.date) })));
      var seenLine = element("p", "report-popup__seen", format(data.msgSeen, { count: p.seen }));
      seenLine.dataset.seenCount = p.seen;
      box.appendChild(seenLine);
      var note = element("p", "report-popup__note");
      note.setAttribute("role", "status");
      if (p.status === "submitted" || p.status === "in_verification" || p.status === "confirmed") {
        var button = element("button", "button button--small", data.msgSeenButton);
        button.type = "button";
        button.dataset.seenButton = "";
        button.addEventListener("click", function () { sendSeen(p.code, button, seenLine, note); });
        box.appendChild(button);
      }
      box.appendChild(note);
      var link = element("a", "report-popup__link", data.msgFollow);
      link.href = data.trackUrl.replace(data.code, encodeURIComponent(p.code));
      box.appendChild(link);
      return box;
    }

    /* Points are kept between answers (keyed by tracking code), so panning does not
       redraw them and an open popup stays open; a report whose status or place changed is
       drawn anew. */
    function drawPoints(answer) {
      cells.clearLayers();
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
      var size = Math.round(clamp(circle.min_px + circle.px_per_decade * Math.log10(cell.count), circle.min_px, circle.max_px));
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

    function drawCells(answer) {
      clearPoints();
      cells.clearLayers();
      answer.cells.forEach(function (cell) {
        var marker = L.marker([cell.lat, cell.lon], {
          icon: cellIcon(cell, answer.legend, answer.circle),
          title: format(data.msgCell, { count: cell.count }),
          keyboard: true,
        });
        marker.on("click", function () {
          map.setView([cell.lat, cell.lon], Math.min(map.getZoom() + 2, 19));
        });
        marker.addTo(cells);
      });
    }

    /* The address keeps the place and the filters, so a reload or a shared link shows the
       same map. */
    function syncUrl() {
      var params = form ? new URLSearchParams(new FormData(form)) : new URLSearchParams();
      Array.from(params.keys()).forEach(function (key) {
        if (!params.get(key)) { params.delete(key); }
      });
      var centre = map.getCenter().wrap();
      params.set("lat", centre.lat.toFixed(5));
      params.set("lon", centre.lng.toFixed(5));
      params.set("zoom", String(Math.round(map.getZoom())));
      window.history.replaceState(null, "", window.location.pathname + "?" + params.toString());
    }

    /* Says over the map why it shows no report (nothing in view, or nothing the filters
       let through); hidden when there is something. */
    function showEmpty(message) {
      if (!empty) { return; }
      empty.textContent = message || "";
      empty.hidden = !message;
    }

    /* No answer to draw (no status ticked, or the request was refused): nothing of an older
       answer stays on the map or in the legend. */
    function clearAnswer(count, kind) {
      clearPoints();
      cells.clearLayers();
      document.querySelectorAll("[data-legend-count]").forEach(function (item) { item.textContent = count; });
      var total = document.querySelector("[data-map-total]");
      if (total) { total.textContent = count; }
      container.dataset.kind = kind;
      container.dataset.ready = "1";
    }

    function showNothing() {
      if (status) { status.textContent = ""; }
      showEmpty(data.msgNoStatus);
      clearAnswer("0", "none");
    }

    /* What to say when the map's request fails: a refused period in the form's own words
       (the API names its parameters), else the API's message. Marks the period's fields. */
    function refusal(error) {
      var field = error.extra && error.extra.field;
      var period = field === "from" || field === "to";
      markPeriod(period);
      if (period && data.msgBadPeriod) { return data.msgBadPeriod; }
      return error.message || data.msgFailed;
    }

    function markPeriod(refused) {
      if (!form) { return; }
      ["from", "to"].forEach(function (name) {
        var field = form.elements[name];
        if (!field) { return; }
        if (refused) { field.setAttribute("aria-invalid", "true"); } else { field.removeAttribute("aria-invalid"); }
      });
    }

    function load() {
      clearTimeout(timer);
      if (controller) { controller.abort(); }
      syncUrl();
      var filters = filterParams();
      if (filters === null) { showNothing(); return; }
      controller = new AbortController();
      container.dataset.ready = "0";
      getJson(data.mapUrl + "?" + query(filters), controller.signal)
        .then(function (answer) {
          markPeriod(false);
          updateLegend(answer);
          if (answer.kind === "points") { drawPoints(answer); } else { drawCells(answer); }
          container.dataset.kind = answer.kind;
          if (status) { status.textContent = ""; }
          showEmpty(answer.total ? "" : (filters.length ? data.msgEmptyFiltered : data.msgEmpty));
          container.dataset.ready = "1";
        })
        .catch(function (error) {
          if (error.name === "AbortError") { return; }
          if (status) { status.textContent = refusal(error); }
          showEmpty("");
          clearAnswer("–", "error");
        });
    }

    function outlines() {
      return Promise.all(outlineLevels.map(fetchOutlines));
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(function () {
        load();
        outlines();
      }, MOVE_DELAY_MS);
    }

    if (form) {
      var apply = form.querySelector("[data-filters-apply]");
      if (apply) { apply.remove(); } // filters apply as they change
      form.addEventListener("change", load);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        load();
      });
    }

    var regions = outlineLevel("region", tiles ? REGION_OVER_TILES : REGION_STYLE);
    var communities = outlineLevel("community", COMMUNITY_STYLE);
    var outlineLevels = [regions, communities];
    markOutlines();
    if (placed) {
      map.on("moveend", later);
      load();
      outlines();
    } else {
      // The whole map opens on the regions in the first view (not animated, so the first
      // request asks for the view the resident will see); the communities follow for it.
      fetchOutlines(regions).then(function () {
        var bounds = regions.group.getBounds();
        if (bounds.isValid()) {
          map.fitBounds(bounds, { padding: [8, 8], animate: false });
        }
        map.on("moveend", later);
        load();
        outlines();
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var container = document.querySelector("[data-threat-map]");
    if (container && window.L) { initMap(container); }
  });
})();
