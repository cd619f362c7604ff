/* Blisko — the threat map: asking GET /api/v1/map for the view and the filters, one request
 * at a time (a newer one aborts the older), a short while after the map stops moving.
 * The map marks data-ready="0" while it waits and data-ready="1" and data-kind (points,
 * cells, none or error) once it has drawn.
 */
(function () {
  "use strict";

  var Blisko = window.Blisko;
  var parts = Blisko.map = Blisko.map || {};

  var MOVE_DELAY_MS = 150;

  /* `load()` asks now; `later(also)` asks (and calls `also`) once the map has been still for
     MOVE_DELAY_MS. The other pieces: filters, reports and messages (js/map/*.js). */
  parts.answer = function (ctx, filters, reports, messages) {
    var container = ctx.container;
    var controller = null;
    var timer = null;

    function load() {
      clearTimeout(timer);
      if (controller) { controller.abort(); }
      filters.syncUrl();
      var chosen = filters.params();
      if (chosen === null) { messages.nothing(); return; }
      controller = new AbortController();
      container.dataset.ready = "0";
      Blisko.getJson(ctx.data.mapUrl + "?" + filters.query(chosen), controller.signal)
        .then(function (answer) {
          filters.markPeriod(false);
          messages.legend(answer);
          if (answer.kind === "points") { reports.points(answer); } else { reports.cells(answer); }
          container.dataset.kind = answer.kind;
          messages.answered(answer, chosen.length > 0);
          container.dataset.ready = "1";
        })
        .catch(function (error) {
          if (error.name === "AbortError") { return; }
          messages.failed(error);
        });
    }

    function later(also) {
      clearTimeout(timer);
      timer = setTimeout(function () {
        load();
        also();
      }, MOVE_DELAY_MS);
    }

    return { load: load, later: later };
  };
})();
