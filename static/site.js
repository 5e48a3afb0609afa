// Progressive enhancement only: every page works without this file.
// Adds "copy link" buttons next to section links when the Clipboard API is available.
(function () {
  "use strict";
  if (!navigator.clipboard || !document.querySelectorAll) return;
  var label = document.documentElement.lang === "es" ? "Copiar enlace" : "Copy link";
  var done = document.documentElement.lang === "es" ? "Enlace copiado" : "Link copied";
  document.querySelectorAll("h2 > a.anchor, h3 > a.anchor").forEach(function (anchor) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-link";
    button.textContent = label;
    button.addEventListener("click", function () {
      var url = new URL(anchor.getAttribute("href"), window.location.href).href;
      navigator.clipboard.writeText(url).then(function () {
        button.textContent = done;
        setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
    anchor.insertAdjacentElement("afterend", button);
  });
})();
