/* initlab's debug lab (initlab/book/debug.py): a learner edits a broken pod's manifest and
 * the page grades the fix by simulating it with the real initlab (Pyodide, loaded once per
 * page by player.js). Grading and every text shown come from Python
 * (initlab.book.live.check_json); this script only moves text into the page. */
(function () {
  "use strict";
  if (window.initlabDebugLab) { return; }
  function mount(box) {
    if (box.getAttribute("data-ready")) { return; }
    box.setAttribute("data-ready", "1");
    var id = box.getAttribute("data-case");
    var area = box.querySelector("textarea"), btn = box.querySelector(".ildl-check");
    var statusEl = box.querySelector(".ilp-status"), original = area.value;
    function status(msg, kind) {
      statusEl.textContent = msg;
      statusEl.className = "ilp-status" + (kind ? " ilp-" + kind : "");
    }
    box.querySelector(".ilp-reset").addEventListener("click", function () { area.value = original; });
    btn.addEventListener("click", function () {
      var why = window.initlabPlayer.whyNot();
      if (why) { status(why, "error"); return; }
      btn.disabled = true;
      status("Loading Python and simulating\u2026");
      window.initlabPlayer.python().then(function (rt) {
        var t0 = performance.now();
        var res = JSON.parse(rt.live.check_json(id, area.value));
        box.setAttribute("data-run-ms", (performance.now() - t0).toFixed(1));
        if (res.symptoms) {
          ["get", "describe", "logs"].forEach(function (k) {
            box.querySelector(".ildl-" + k).textContent = res.symptoms[k];
          });
        }
        status(res.message, res.passed ? "pass" : "error");
        box.setAttribute("data-passed", res.passed ? "true" : "false");
      }).catch(function (e) {
        status("Could not start Python in this page: " + (e && e.message ? e.message : e), "error");
      }).then(function () { btn.disabled = false; });
    });
  }
  function mountAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".ildl-case"), mount);
  }
  window.initlabDebugLab = {mount: mountAll};
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mountAll);
  } else { mountAll(); }
})();
