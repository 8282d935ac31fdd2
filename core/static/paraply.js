// Paraply's few lines of JavaScript. Everything works without them; they
// only make the header menu and wide tables nicer. Served as a file (no
// inline script), so a strict Content-Security-Policy can forbid inline code.
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 60rem)");

  // The header menu (<details class="site-menu">): open on wide screens, for
  // browsers whose CSS cannot show a closed panel; folded on a phone; Escape
  // closes it and puts focus back on its "Meny" button.
  var menu = document.querySelector("details.site-menu");
  if (menu) {
    var fit = function () { menu.open = wide.matches; };
    fit();
    wide.addEventListener("change", fit);
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open && !wide.matches) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  }

  // A table box that scrolls sideways says so (the hint in macros/tables.html).
  var boxes = document.querySelectorAll(".table-wrap");
  var mark = function () {
    boxes.forEach(function (box) {
      box.toggleAttribute("data-scrolls", box.scrollWidth > box.clientWidth + 1);
    });
  };
  if (boxes.length) {
    mark();
    window.addEventListener("resize", mark);
  }
})();
