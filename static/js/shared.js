/* Blisko — what the page scripts share: window.Blisko.
 *
 * How the scripts are put together: plain scripts, not ES modules. Each file adds what it
 * offers to one namespace object, window.Blisko, and the templates load them in order with
 * ordinary <script src> tags: this file first, then (on the threat map) the pieces under
 * js/map/, then the page's own script (blisko.js, report.js, queue.js or map.js), whose
 * code runs only once the page is read. Chosen because it needs nothing else to be right:
 * - the Content-Security-Policy (script-src 'self' and nonces, nothing inline) allows every
 *   same-origin <script src>, with no import map or inline loader;
 * - every file is named through {% static %}, so WhiteNoise's
 *   CompressedManifestStaticFilesStorage hashes each name as it does any other file. An
 *   `import "./x.js"` would instead be a path inside a file, to be rewritten to the hashed
 *   name at collectstatic (ManifestStaticFilesStorage's support_js_module_import_aggregation,
 *   only in a subclass of our own), and a missed one would break only in production.
 * - no build step, as before.
 * The cost is the order of the tags, which each template states once.
 */
(function () {
  "use strict";

  var Blisko = window.Blisko = window.Blisko || {};

  // Ukraine and Poland, until the outlines arrive.
  Blisko.START_BOUNDS = [[44.0, 14.0], [54.9, 40.3]];
  // Without a tile layer the regions are the land: filled white on the map's grey. Over tiles
  // they are lines only, so the tiles show through.
  Blisko.REGION_STYLE = { color: "#7d8aa0", weight: 1.5, opacity: 0.9, fillColor: "#ffffff", fillOpacity: 1 };
  Blisko.REGION_OVER_TILES = { color: "#7d8aa0", weight: 1.5, opacity: 0.9, fill: false };

  /* "%(name)s" in a translated message, filled from `values`. */
  Blisko.format = function (template, values) {
    return (template || "").replace(/%\((\w+)\)s/g, function (_, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  };

  /* GET a JSON answer of Blisko's API. Resolves with the body (null if it is not JSON);
     rejects with an Error carrying the API's message, `status`, `body` and `extra` (the
     API's details, {} when none) when the answer is not 2xx, and with an AbortError when
     `signal` aborts it. */
  Blisko.getJson = function (url, signal) {
    return fetch(url, { headers: { Accept: "application/json" }, signal: signal, credentials: "same-origin" })
      .then(function (response) {
        return response.json().catch(function () { return null; }).then(function (body) {
          if (!response.ok) {
            var error = new Error((body && body.message) || response.statusText);
            error.status = response.status;
            error.body = body;
            error.extra = (body && body.extra) || {};
            throw error;
          }
          return body;
        });
      });
  };

  /* GET /api/v1/areas/outlines for one level (`base` is the page's data-outlines-url). */
  Blisko.outlineUrl = function (base, level) {
    return base + "?level=" + encodeURIComponent(level);
  };

  /* One level's outlines, or null if they could not be had: every map works without them. */
  Blisko.getOutlines = function (base, level) {
    return Blisko.getJson(Blisko.outlineUrl(base, level)).catch(function () { return null; });
  };

  /* The site's map tiles under `map`, if it sets a tile URL; whether it does. */
  Blisko.addTiles = function (map) {
    var tileUrl = document.body.dataset.tileUrl;
    if (tileUrl) {
      L.tileLayer(tileUrl, { attribution: document.body.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
    }
    return Boolean(tileUrl);
  };

  /* A small map in a page (not the threat map): tiles if any, and wheel zoom only once the
     map is in use, so scrolling the page does not zoom it. Kept as element.bliskoMap. */
  Blisko.createMap = function (element, options) {
    var map = L.map(element, Object.assign({ zoomSnap: 0.5, scrollWheelZoom: false, keyboard: true }, options || {}));
    element.bliskoMap = map;
    Blisko.addTiles(map);
    map.on("focus", function () { map.scrollWheelZoom.enable(); });
    map.on("blur", function () { map.scrollWheelZoom.disable(); });
    return map;
  };
})();
