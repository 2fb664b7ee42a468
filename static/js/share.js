/* "Copier le lien" and "Imprimer" on the results and structure pages. Without JavaScript the
   buttons stay hidden: the page's address is shareable as it is, and the browser prints. */
(function () {
  "use strict";

  function init() {
    document.querySelectorAll("[data-share]").forEach(function (bar) {
      var status = bar.querySelector("[data-share-status]");
      var copy = bar.querySelector("[data-copy-link]");
      var print = bar.querySelector("[data-print]");
      if (copy && navigator.clipboard) {
        copy.hidden = false;
        copy.addEventListener("click", function () {
          navigator.clipboard.writeText(window.location.href).then(
            function () { status.textContent = copy.getAttribute("data-done"); },
            function () { status.textContent = copy.getAttribute("data-failed"); }
          );
        });
      }
      if (print && typeof window.print === "function") {
        print.hidden = false;
        print.addEventListener("click", function () { window.print(); });
      }
      bar.hidden = !(copy && !copy.hidden) && !(print && !print.hidden);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
