/* Blisko — the threat map: boxes of the view, as the API takes them (west,south,east,north).
 * Part of js/map.js (its pieces: js/map/*.js, loaded before it; js/shared.js first).
 */
(function () {
  "use strict";

  var parts = window.Blisko.map = window.Blisko.map || {};

  // Outlines are asked for the view widened by this share of its size on each side...
  var OUTLINE_MARGIN = 0.25;
  // ...within what the API allows a view at zoom 4 and above (MAX_VIEWPORT_TILES tiles of
  // 360 / 2**zoom degrees: blisko/core/geo.py).
  var MAX_VIEW_TILES = 16;
  var ANY_VIEW_ZOOM = 4;

  function clamp(value, low, high) {
    return Math.max(low, Math.min(high, value));
  }

  /* The box of the view, clamped to what Web Mercator draws, west,south,east,north. */
  function viewBox(map) {
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

  function overlap(a, b) {
    return Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0])) *
      Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
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

  parts.geometry = {
    clamp: clamp, viewBox: viewBox, boxParam: boxParam, inside: inside, overlap: overlap,
    outlineBox: outlineBox,
  };
})();
