// Progressive enhancement only: every page works without this file.
// Each share block (templates/_share.html: one per page and per section page) gets a "copy link"
// button when the Clipboard API is there, and a "share" button when the browser has the Web Share
// API, in its .share-actions line (reserved by site.css, so nothing moves). The block's plain email, SMS and WhatsApp links work without this file.
(function () {
  "use strict";
  if (!document.querySelectorAll) return;
  var canCopy = !!(navigator.clipboard && navigator.clipboard.writeText);
  var canShare = typeof navigator.share === "function";
  if (!canCopy && !canShare) return;

  function button(block, label, className, onClick) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = className;
    element.textContent = label;
    element.addEventListener("click", onClick);
    (block.querySelector(".share-actions") || block).appendChild(element);
    return element;
  }

  document.querySelectorAll(".share[data-share-url]").forEach(function (block) {
    var url = block.getAttribute("data-share-url");
    var title = block.getAttribute("data-share-title") || document.title;
    if (canCopy) {
      var label = block.getAttribute("data-copy-label");
      var done = block.getAttribute("data-copied-label");
      var copy = button(block, label, "copy-link", function () {
        navigator.clipboard.writeText(url).then(function () {
          copy.textContent = done;
          setTimeout(function () { copy.textContent = label; }, 2000);
        });
      });
    }
    if (canShare) {
      button(block, block.getAttribute("data-share-label"), "share-button", function () {
        navigator.share({ title: title, url: url }).catch(function () { /* cancelled */ });
      });
    }
  });
})();

// The language switch keeps the reader's place: section ids are the same in every language, so the
// section in the address (#id) is carried to the other language's page.
(function () {
  "use strict";
  var link = document.querySelector("a.lang-switch");
  if (!link) return;
  link.addEventListener("click", function () {
    if (window.location.hash) link.href = link.href.split("#")[0] + window.location.hash;
  });
})();

// A marker's link opens the folded notes list (or a folded answer) that holds its target, where the
// browser does not do it itself, and the notes list opens for printing: it prints as endnotes.
(function () {
  "use strict";
  function reveal() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS" && !node.open) node.open = true;
    }
    if (target) target.scrollIntoView();
  }
  window.addEventListener("hashchange", reveal);
  if (window.location.hash) reveal();
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.notes-fold").forEach(function (d) { d.open = true; });
  });
})();
