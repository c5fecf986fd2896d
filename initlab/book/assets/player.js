/* initlab's player (initlab/book/player.py): step through a precomputed run, and in the
 * published book edit the scenario and re-run it with the real initlab in this page.
 *
 * The page gets data, not logic: every text it shows (kubectl get, describe, logs, the
 * clock) was computed in Python, by initlab/book/player.py at build time or by
 * initlab/book/live.py in Pyodide. This script only picks texts by index and moves the
 * cursor. Untrusted text is set with textContent, never as HTML (the SVG comes from
 * svg_timeline, which escapes every string). Several players can share a page; the
 * Pyodide runtime is loaded once, on the first Run, from the book's own _pyodide/. */
(function () {
  "use strict";
  if (window.initlabPlayer) { return; }

  var runtime = null; /* Promise of {py, runJson, checkJson, readyMs} */

  function pyodideBase() {
    var root = document.documentElement.getAttribute("data-content_root");
    if (root === null) { return null; }
    return new URL(root + "_pyodide/", document.baseURI).href;
  }

  /* Why live mode cannot run here, or "" when it can. */
  function whyNot() {
    if (location.protocol === "file:") {
      return "Edit and run needs the book served over http: browsers do not run " +
        "WebAssembly modules from file://. In the book's folder run " +
        "`python -m http.server --bind 127.0.0.1` (or `make serve` in the repository) " +
        "and open the address it prints (port 8000 on 127.0.0.1).";
    }
    if (pyodideBase() === null) {
      return "Edit and run works in the published book (make book, then make serve). " +
        "In Jupyter, use the live explorer (initlab.book.widgets) instead.";
    }
    return "";
  }

  function python() {
    if (runtime) { return runtime; }
    var base = pyodideBase();
    var t0 = performance.now();
    runtime = import(base + "pyodide.mjs").then(function (mod) {
      return mod.loadPyodide({indexURL: base, packageBaseUrl: base});
    }).then(function (py) {
      return py.loadPackage(["initlab"]).then(function () {
        py.runPython("import initlab.book.live");
        var live = py.pyimport("initlab.book.live");
        return {py: py, live: live, runJson: live.run_json, readyMs: performance.now() - t0};
      });
    });
    runtime.catch(function () { runtime = null; }); /* a failed load may be retried */
    return runtime;
  }

  function mount(id) {
    var root = document.getElementById(id);
    if (!root || root.getAttribute("data-ready")) { return; }
    root.setAttribute("data-ready", "1");
    var d = JSON.parse(document.getElementById(id + "-data").textContent);
    var q = function (c) { return root.querySelector("." + c); };
    var slider = q("ilp-slider"), getPre = q("ilp-get"), viewPre = q("ilp-events");
    var timeEl = q("ilp-time"), playBtn = q("ilp-play"), svgBox = q("ilp-svg");
    var pick = q("ilp-container"), pickLabel = q("ilp-logs-pick");
    var i = 0, timer = null, view = "events";
    var svg, cursor, future, x0, w, end;

    function bindSvg() {
      svg = svgBox.querySelector("svg");
      cursor = svg.querySelector(".cursor"); future = svg.querySelector(".future");
      x0 = +svg.getAttribute("data-x0"); w = +svg.getAttribute("data-w");
      end = +svg.getAttribute("data-end");
    }
    function text(k) {
      return k >= 0 ? d.texts[k].map(function (n) { return d.lines[n]; }).join("\n") : "";
    }
    function viewText(s) {
      var name = d.name;
      if (view === "describe") {
        return "$ kubectl describe pod " + name + "\n" + text(s[3]) + text(s[4]);
      }
      if (view === "watch") {
        return "$ kubectl get pod " + name + " -w\n" + d.watch.slice(0, i + 2).join("\n");
      }
      if (view === "logs") {
        var c = pick ? pick.value : "";
        return "$ kubectl logs " + name + " -c " + c + "\n" + text(s[5][c]);
      }
      return "$ kubectl describe pod " + name + "   # Events only\n" + text(s[4]);
    }
    function show(k) {
      if (!d.snaps.length) { return; }
      i = Math.max(0, Math.min(d.snaps.length - 1, k));
      var s = d.snaps[i], t = s[0];
      slider.value = i;
      var cx = x0 + w * Math.min(t, end) / end;
      cursor.setAttribute("x1", cx); cursor.setAttribute("x2", cx);
      future.setAttribute("x", cx); future.setAttribute("width", Math.max(0, x0 + w - cx));
      timeEl.textContent = s[1] + "  (" + (i + 1) + "/" + d.snaps.length + ")";
      getPre.textContent = "$ kubectl get pod " + d.name + "\n" + text(s[2]);
      viewPre.textContent = viewText(s);
    }
    function stop() {
      if (timer) { clearInterval(timer); timer = null; }
      playBtn.textContent = "\u25B6 play";
    }
    playBtn.addEventListener("click", function () {
      if (timer) { stop(); return; }
      if (i >= d.snaps.length - 1) { show(0); }
      playBtn.textContent = "\u275A\u275A pause";
      timer = setInterval(function () {
        if (i >= d.snaps.length - 1) { stop(); } else { show(i + 1); }
      }, 800);
    });
    q("ilp-step").addEventListener("click", function () { stop(); show(i + 1); });
    q("ilp-back").addEventListener("click", function () { stop(); show(i - 1); });
    slider.addEventListener("input", function () { stop(); show(+slider.value); });
    Array.prototype.forEach.call(root.querySelectorAll(".ilp-view"), function (b) {
      b.addEventListener("click", function () {
        view = b.getAttribute("data-view");
        Array.prototype.forEach.call(root.querySelectorAll(".ilp-view"), function (o) {
          o.setAttribute("aria-pressed", o === b ? "true" : "false");
        });
        if (pickLabel) { pickLabel.hidden = view !== "logs"; }
        show(i);
      });
    });
    if (pick) { pick.addEventListener("change", function () { show(i); }); }

    function setContainers(names) {
      if (!pick) { return; }
      var keep = pick.value;
      while (pick.firstChild) { pick.removeChild(pick.firstChild); }
      names.forEach(function (n) {
        var o = document.createElement("option"); o.textContent = n; pick.appendChild(o);
      });
      if (names.indexOf(keep) >= 0) { pick.value = keep; }
    }
    /* A new run from Python: {data, svg}. */
    function load(res) {
      stop();
      d = res.data;
      svgBox.innerHTML = res.svg; /* svg_timeline escapes every string it draws */
      bindSvg();
      slider.max = Math.max(d.snaps.length - 1, 0);
      setContainers(d.containers);
      show(0);
    }
    bindSvg();
    show(0);

    /* ---- Edit and run */
    var edit = q("ilp-edit"), editor = q("ilp-editor"), area = q("ilp-yaml");
    var runBtn = q("ilp-run"), statusEl = q("ilp-status");
    if (!edit) { return; }
    var original = area.value;
    function status(msg, kind) {
      statusEl.textContent = msg;
      statusEl.className = "ilp-status" + (kind ? " ilp-" + kind : "");
    }
    edit.addEventListener("click", function () {
      var open = editor.hidden;
      editor.hidden = !open;
      edit.setAttribute("aria-expanded", open ? "true" : "false");
      var why = whyNot();
      if (open && why) { status(why, "error"); }
      if (open) { area.focus(); }
    });
    q("ilp-reset").addEventListener("click", function () { area.value = original; });
    runBtn.addEventListener("click", function () {
      var why = whyNot();
      if (why) { status(why, "error"); return; }
      runBtn.disabled = true;
      var cold = !runtime;
      status(cold ? "Loading Python (once per page, about 15 MB)\u2026" : "Simulating\u2026");
      python().then(function (rt) {
        root.setAttribute("data-python-ready-ms", rt.readyMs.toFixed(0));
        var t0 = performance.now();
        var res = JSON.parse(rt.runJson(area.value, id));
        root.setAttribute("data-run-ms", (performance.now() - t0).toFixed(1));
        if (res.error) { status(res.error, "error"); return; }
        load(res);
        var last = d.snaps[d.snaps.length - 1];
        status("Simulated: " + d.snaps.length + " snapshots, STATUS at the end: " +
          (last ? last[6] : "") + ".");
        root.dispatchEvent(new CustomEvent("initlab:run", {detail: res}));
      }).catch(function (e) {
        status("Could not start Python in this page: " + (e && e.message ? e.message : e), "error");
      }).then(function () { runBtn.disabled = false; });
    });
  }

  window.initlabPlayer = {mount: mount, python: python, whyNot: whyNot};
})();
