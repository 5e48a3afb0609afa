// Search for the static export only: the server's search page needs no JavaScript and never loads
// this file. Here a prebuilt Pagefind index (/pagefind/, same origin) answers the query in ?q=.
(function () {
  "use strict";
  var out = document.getElementById("search-results");
  var input = document.getElementById("q");
  if (!out || !input || !window.URLSearchParams) return;
  var es = document.documentElement.lang === "es";
  var text = {
    loading: es ? "Buscando…" : "Searching…",
    none: es ? "Nada en este sitio coincide con su búsqueda." : "Nothing on this site matches your search.",
    found: es ? " resultados" : " results",
    failed: es ? "La búsqueda no está disponible en esta copia del sitio." : "Search is not available in this copy of the site."
  };
  var q = (new URLSearchParams(window.location.search).get("q") || "").slice(0, 200).trim();
  input.value = q;
  if (!q) return;
  out.textContent = text.loading;

  // Pagefind's excerpts are HTML with <mark>: keep only their text and the marks.
  function excerpt(html) {
    var p = document.createElement("p");
    p.className = "search-snippet";
    var doc = new DOMParser().parseFromString(html, "text/html");
    doc.body.childNodes.forEach(function (node) {
      if (node.nodeType === Node.ELEMENT_NODE && node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        p.appendChild(mark);
      } else {
        p.appendChild(document.createTextNode(node.textContent));
      }
    });
    return p;
  }

  function item(title, url, html) {
    var li = document.createElement("li");
    li.className = "search-result";
    var a = document.createElement("a");
    a.className = "search-result-link";
    a.href = url;
    a.textContent = title;
    li.appendChild(a);
    li.appendChild(excerpt(html));
    return li;
  }

  import("/pagefind/pagefind.js").then(function (pagefind) {
    return pagefind.search(q).then(function (search) {
      return Promise.all(search.results.slice(0, 10).map(function (r) { return r.data(); }));
    });
  }).then(function (pages) {
    out.textContent = "";
    var list = document.createElement("ol");
    list.className = "search-results";
    pages.forEach(function (page) {
      var subs = (page.sub_results || []).slice(0, 3);
      if (!subs.length) subs = [{ title: "", url: page.url, excerpt: page.excerpt }];
      subs.forEach(function (sub) {
        var title = page.meta.title + (sub.title && sub.title !== page.meta.title ? " › " + sub.title : "");
        list.appendChild(item(title, sub.url, sub.excerpt));
      });
    });
    var count = document.createElement("p");
    count.className = "search-count";
    count.textContent = list.children.length ? list.children.length + text.found : text.none;
    out.appendChild(count);
    if (list.children.length) out.appendChild(list);
  }).catch(function () {
    out.textContent = text.failed;
  });
})();
