/* Blisko — the threat map: the filter form beside it and the state kept in the address.
 */
(function () {
  "use strict";

  var parts = window.Blisko.map = window.Blisko.map || {};

  /* The filters of `ctx.form` (which may be missing) as the map answer's query. */
  parts.filters = function (ctx) {
    var form = ctx.form;
    var map = ctx.map;
    var geometry = parts.geometry;

    /* The filters as API parameters (statuses only when some are left out); null when no
       status is ticked. */
    function params() {
      var found = [];
      if (!form) { return found; }
      var boxes = Array.prototype.slice.call(form.querySelectorAll("[data-status-filter]"));
      var checked = boxes.filter(function (box) { return box.checked; }).map(function (box) { return box.value; });
      if (!checked.length) { return null; } // nothing to show
      if (checked.length < boxes.length) { found.push(["status", checked.join(",")]); }
      ["category", "area", "from", "to"].forEach(function (name) {
        var field = form.elements[name];
        if (field && field.value) { found.push([name, field.value]); }
      });
      return found;
    }

    /* The query of GET /api/v1/map: the view and the `filters` (from params()). */
    function query(filters) {
      var pairs = [["bbox", geometry.boxParam(geometry.viewBox(map))], ["zoom", String(Math.round(map.getZoom()))]]
        .concat(filters);
      return pairs.map(function (pair) {
        return encodeURIComponent(pair[0]) + "=" + encodeURIComponent(pair[1]);
      }).join("&");
    }

    /* The address keeps the place and the filters, so a reload or a shared link shows the
       same map. */
    function syncUrl() {
      var found = form ? new URLSearchParams(new FormData(form)) : new URLSearchParams();
      Array.from(found.keys()).forEach(function (key) {
        if (!found.get(key)) { found.delete(key); }
      });
      var centre = map.getCenter().wrap();
      found.set("lat", centre.lat.toFixed(5));
      found.set("lon", centre.lng.toFixed(5));
      found.set("zoom", String(Math.round(map.getZoom())));
      window.history.replaceState(null, "", window.location.pathname + "?" + found.toString());
    }

    /* Marks the period's fields as refused (or not). */
    function markPeriod(refused) {
      if (!form) { return; }
      ["from", "to"].forEach(function (name) {
        var field = form.elements[name];
        if (!field) { return; }
        if (refused) { field.setAttribute("aria-invalid", "true"); } else { field.removeAttribute("aria-invalid"); }
      });
    }

    /* Filters apply as they change: `load` on every change, and instead of sending. */
    function onChange(load) {
      if (!form) { return; }
      var apply = form.querySelector("[data-filters-apply]");
      if (apply) { apply.remove(); }
      form.addEventListener("change", load);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        load();
      });
    }

    return { params: params, query: query, syncUrl: syncUrl, markPeriod: markPeriod, onChange: onChange };
  };
})();
