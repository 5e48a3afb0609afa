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

  // The editors' synonyms (content/search-synonyms.yaml), written by the export for this language.
  // Pagefind has none of its own: the query is also searched with each phrase of a group it holds
  // swapped for the group's other phrases, and the results merged, best score first.
  function tokens(s) { return s.match(/[\p{L}\p{N}_]+/gu) || []; }
  function fold(s) { return s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); }

  // Phrases are compared folded (accents and capitals aside), word by word; the browser has no
  // stemmer, so a phrase counts only as the group writes it. Swapped-in phrases keep their accents.
  function queries(groups) {
    var typed = tokens(q.normalize("NFC"));
    var asked = typed.map(fold);
    var out = [q];
    groups.forEach(function (group) {
      var phrases = group.map(function (p) { return tokens(p).map(fold); });
      phrases.forEach(function (phrase) {
        for (var at = 0; phrase.length && at + phrase.length <= asked.length; at++) {
          var same = phrase.every(function (w, i) { return asked[at + i] === w; });
          if (!same) continue;
          group.forEach(function (other, j) {
            if (phrases[j] !== phrase) {
              out.push(typed.slice(0, at).concat(other, typed.slice(at + phrase.length)).join(" "));
            }
          });
          break;
        }
      });
    });
    return out.filter(function (x, i) { return out.indexOf(x) === i; }).slice(0, 8);
  }

  var synonyms = fetch("/" + document.documentElement.lang + "/search/synonyms.json").then(function (r) {
    return r.ok ? r.json() : [];
  }).catch(function () { return []; });

  Promise.all([import("/pagefind/pagefind.js"), synonyms]).then(function (loaded) {
    var pagefind = loaded[0];
    return Promise.all(queries(loaded[1]).map(function (query) { return pagefind.search(query); }));
  }).then(function (searches) {
    var best = {};
    searches.forEach(function (search) {
      search.results.forEach(function (r) {
        if (!best[r.id] || best[r.id].score < r.score) best[r.id] = r;
      });
    });
    var ranked = Object.keys(best).map(function (id) { return best[id]; });
    ranked.sort(function (a, b) { return b.score - a.score; });
    return Promise.all(ranked.slice(0, 10).map(function (r) { return r.data(); }));
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
