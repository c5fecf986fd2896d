/* initlab quick checks. Wires every quiz on the page that is not wired yet:
   a click shows the choice's feedback (✔ green / ✘ red) and, once right,
   the question's explanation. No network, no globals besides this IIFE. */
(function () {
  document.querySelectorAll(".initlab-quiz:not([data-ready])").forEach(function (root) {
    root.setAttribute("data-ready", "1");
    root.querySelectorAll("button[data-q]").forEach(function (b) {
      b.addEventListener("click", function () {
        var q = b.getAttribute("data-q");
        var ok = b.getAttribute("data-ok") === "1";
        var fb = root.querySelector('.fb[data-q="' + q + '"]');
        fb.textContent = (ok ? "\u2714 " : "\u2718 ") + b.getAttribute("data-fb");
        fb.className = "fb " + (ok ? "ok" : "bad");
        b.classList.add(ok ? "ok" : "bad");
        if (ok) {
          var why = root.querySelector('.why[data-q="' + q + '"]');
          if (why) why.classList.add("shown");
        }
      });
    });
  });
})();
