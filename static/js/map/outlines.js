/* Blisko — the threat map: the area outlines under the reports.
 *
 * Outlines (GET /api/v1/areas/outlines) come for the view and a margin around it, simplified
 * for the zoom. Each level keeps what it holds by area id and the boxes it asked for at this
 * zoom: a view inside one of them asks for nothing; panning out of them asks only for the
 * areas not met by the box it overlaps most (`known`), and nothing held is drawn again. A new
 * zoom asks for the view again and replaces the outlines with ones of its detail.
 *
 * The map marks data-outlines ("<regions> <communities>" held) and data-outlines-ready.
 */
(function () {
  "use strict";

  var Blisko = window.Blisko;
  var parts = Blisko.map = Blisko.map || {};

  var COMMUNITY_STYLE = { color: "#9aa6b8", weight: 0.8, opacity: 0.9, fill: false };
  // Each level of outlines draws in a pane of its own, under the reports (overlayPane, 400):
  // communities above the regions' fill whichever of the two answers arrives first.
  var OUTLINE_PANES = { region: 300, community: 350 };

  /* The outlines of `ctx.map`: `regions`, `levels` (both) and `fetch(level)`, which asks
     for what the view lacks. */
  parts.outlines = function (ctx) {
    var geometry = parts.geometry;
    var map = ctx.map;

    Object.keys(OUTLINE_PANES).forEach(function (level) {
      var pane = map.createPane("outlines-" + level);
      pane.style.zIndex = String(OUTLINE_PANES[level]);
      pane.style.pointerEvents = "none";
    });

    /* One level of outlines, drawn in its own pane as its answers arrive. `held` maps area
       ids to their layer and zoom; `boxes` are the boxes asked for at `zoom`, whose areas are
       all held. */
    function outlineLevel(level, style) {
      return {
        level: level, style: style, held: {}, zoom: null, boxes: [], controller: null, pending: false,
        group: L.featureGroup().addTo(map),
      };
    }

    var regions = outlineLevel("region", ctx.tiles ? Blisko.REGION_OVER_TILES : Blisko.REGION_STYLE);
    var communities = outlineLevel("community", COMMUNITY_STYLE);
    var levels = [regions, communities];

    function outlineCount(state) {
      return Object.keys(state.held).length;
    }

    function markOutlines() {
      ctx.container.dataset.outlines = levels.map(outlineCount).join(" ");
      var pending = levels.some(function (state) { return state.pending; });
      ctx.container.dataset.outlinesReady = pending ? "0" : "1";
    }

    /* Ask for the outlines of `state`'s level the view lacks; resolves once they are drawn
       (or when nothing was needed, or the request failed or was replaced). */
    function fetchOutlines(state) {
      var zoom = Math.round(map.getZoom());
      var view = geometry.viewBox(map);
      var boxes = state.zoom === zoom ? state.boxes : [];
      if (boxes.some(function (box) { return geometry.inside(view, box); })) {
        return Promise.resolve(state);
      }
      // As sent (six decimals), so that the box kept is the one the server answered for.
      var box = geometry.boxParam(geometry.outlineBox(view, zoom)).split(",").map(Number);
      // The areas meeting a box asked for before are held: leave out those of the box that
      // shares the most with this one.
      var known = null;
      boxes.forEach(function (held) {
        if (geometry.overlap(held, box) > (known ? geometry.overlap(known, box) : 0)) { known = held; }
      });
      var url = Blisko.outlineUrl(ctx.data.outlinesUrl, state.level) + "&bbox=" + geometry.boxParam(box) +
        "&zoom=" + zoom + (known ? "&known=" + geometry.boxParam(known) : "");
      if (state.controller) { state.controller.abort(); }
      var controller = new AbortController();
      state.controller = controller;
      state.pending = true;
      markOutlines();
      return Blisko.getJson(url, controller.signal)
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

    markOutlines();
    return {
      regions: regions,
      levels: levels,
      fetch: fetchOutlines,
      all: function () { return Promise.all(levels.map(fetchOutlines)); },
    };
  };
})();
