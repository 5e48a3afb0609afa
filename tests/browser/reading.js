// In-page measures for the reading floors of issue 13. One expression: an object of functions that
// return plain data for Python to assert on (tests/browser/test_reading.py). Elements are found by
// the HTML contracts (a.ref[data-reference], figure.excerpt, blockquote[lang], the notes <ol>), not
// by styling classes, so a redesign that keeps the contracts is measured the same way.
({
  describe(el) {
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (el.classList.length ? '.' + [...el.classList].join('.') : '');
    const text = (el.innerText || el.textContent || '').trim().replace(/\s+/g, ' ');
    return name + (text ? ` "${text.slice(0, 50)}"` : '');
  },

  // Seen by a sighted reader: rendered, not transparent, and not a 1x1 visually-hidden label.
  seen(el) {
    if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) return false;
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1;
  },

  // The page's own text: `main .body` (the article body), or main when there is none.
  body() {
    return document.querySelector('main .body') || document.querySelector('main');
  },

  target(link) {
    const href = link.getAttribute('href') || '';
    if (!href.startsWith('#') || href.length < 2) return null;
    return document.getElementById(decodeURIComponent(href.slice(1)));
  },

  // Notes lists: every <ol> that holds the target of a reference marker.
  notesLists() {
    const lists = new Set();
    for (const a of document.querySelectorAll('main a.ref[data-reference]')) {
      const t = this.target(a);
      const ol = t && t.closest('ol');
      if (ol) lists.add(ol);
    }
    return [...lists];
  },

  // Self-links of headings: a link whose href is the heading's #id or its section page, inside the
  // heading or right beside it.
  selfLinks() {
    const found = [];
    for (const h of document.querySelectorAll('main h2[id], main h3[id], main h4[id]')) {
      const id = h.id;
      const isSelf = (a) => {
        const href = a.getAttribute('href') || '';
        return href === '#' + id || href.endsWith('#' + id)
          || new URL(href, location.href).pathname.replace(/\/$/, '').endsWith('/' + id);
      };
      const near = [...h.querySelectorAll('a[href]')];
      for (let s = h.nextElementSibling, i = 0; s && i < 2; s = s.nextElementSibling, i++) {
        if (s.matches('a[href]')) near.push(s);
        else if (!s.matches('h1, h2, h3, h4, h5, h6')) near.push(...s.querySelectorAll(':scope > a[href]'));
      }
      const prev = h.previousElementSibling;
      if (prev && prev.matches('a[href]')) near.push(prev);
      const parent = h.parentElement;
      if (parent && parent !== document.querySelector('main') && !parent.matches('.body, article'))
        near.push(...parent.querySelectorAll(':scope > a[href]'));
      found.push({heading: h, links: near.filter(isSelf)});
    }
    return found;
  },

  // What is not the page's prose: quote figures, margin asides, navigation, notes lists, share
  // groups and heading self-links.
  excluded() {
    const out = new Set([...document.querySelectorAll('main figure, main aside, main nav')]);
    this.notesLists().forEach((ol) => out.add(ol));
    this.shareGroups().forEach((g) => out.add(g));
    for (const {links} of this.selfLinks()) links.forEach((a) => out.add(a));
    return [...out];
  },

  isExcluded(node, excluded) {
    return excluded.some((x) => x.contains(node));
  },

  // In-text citation links: reference markers, and links to a quote figure or a note.
  citationLinks(root, excluded) {
    const notes = this.notesLists();
    return [...root.querySelectorAll('a[href]')].filter((a) => {
      if (this.isExcluded(a, excluded)) return false;
      if (a.matches('a.ref[data-reference]')) return true;
      const t = this.target(a);
      return !!t && (!!t.closest('figure.excerpt') || notes.some((ol) => ol.contains(t)));
    });
  },

  // A citation's whole in-text footprint: the link plus any inline wrapper whose own text is only
  // punctuation, digits and space (brackets, <sup>, "(...; ...)").
  citationUnits(root, excluded) {
    const links = this.citationLinks(root, excluded);
    const inLink = (node) => links.some((a) => a.contains(node));
    const onlyPunctuation = (el) => {
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let t = walker.nextNode(); t; t = walker.nextNode()) {
        if (!inLink(t) && /[\p{L}]/u.test(t.data)) return false;
      }
      return true;
    };
    const units = new Set();
    for (const a of links) {
      let unit = a;
      for (let p = a.parentElement; p && p !== root; p = p.parentElement) {
        if (!getComputedStyle(p).display.startsWith('inline') || !onlyPunctuation(p)) break;
        unit = p;
      }
      units.add(unit);
    }
    return [...units].filter((u) => ![...units].some((o) => o !== u && o.contains(u)));
  },

  // Visible text nodes under root, in document order, outside the excluded parts.
  visibleText(root, excluded) {
    const out = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      if (!t.data.trim() || this.isExcluded(t, excluded)) continue;
      if (!this.seen(t.parentElement)) continue;
      out.push(t);
    }
    return out;
  },

  count(text) {
    return text.replace(/\s+/g, '').length;
  },

  // Floor: in-text citation characters (markers and wrappers) over prose characters, both counted
  // as visible characters other than white space.
  citationShare() {
    const root = this.body();
    const excluded = this.excluded();
    const units = this.citationUnits(root, excluded);
    let prose = 0, cited = 0;
    for (const t of this.visibleText(root, excluded)) {
      const n = this.count(t.data);
      prose += n;
      if (units.some((u) => u.contains(t))) cited += n;
    }
    const longest = units.map((u) => (u.innerText || '').trim().replace(/\s+/g, ' '))
      .sort((a, b) => b.length - a.length).slice(0, 2);
    return {prose, cited, units: units.length, longest};
  },

  // What readers see as sentences: each block (nearest non-inline box: paragraph, list item,
  // heading, table cell) ends its sentence; citation text stays in.
  readerText() {
    const root = this.body();
    const excluded = this.excluded();
    const blocks = new Map();
    for (const t of this.visibleText(root, excluded)) {
      let b = t.parentElement;
      while (b !== root && getComputedStyle(b).display.startsWith('inline')) b = b.parentElement;
      blocks.set(b, (blocks.get(b) || '') + t.data);
    }
    const lines = [];
    for (const text of blocks.values()) {
      const line = text.replace(/\s+/g, ' ').trim();
      if (line) lines.push(/[.?!:]$/.test(line) ? line : line + '.');
    }
    return lines.join('\n');
  },

  // Floor: at wide widths, no vertical gap between consecutive blocks of the text column (main
  // without its figures and asides) is over `limit` px.
  gaps(limit) {
    const main = document.querySelector('main');
    const excluded = [...main.querySelectorAll('figure, aside')];
    const blocks = [];
    const seenBlocks = new Set();
    for (const t of this.visibleText(main, excluded)) {
      let b = t.parentElement;
      while (b !== main && getComputedStyle(b).display.startsWith('inline')) b = b.parentElement;
      if (!seenBlocks.has(b)) { seenBlocks.add(b); blocks.push(b); }
    }
    const problems = [];
    let bottom = null, last = null, largest = 0, total = 0;
    for (const b of blocks) {
      // The text's own extent, not the box: a paragraph stretched to its grid row is blank below.
      const range = document.createRange();
      range.selectNodeContents(b);
      const r = range.getBoundingClientRect();
      if (r.height <= 1) continue;
      if (bottom !== null) {
        const gap = r.top - bottom;
        if (gap > 0) total += gap;
        if (gap > largest) largest = gap;
        if (gap > limit) {
          problems.push(`${gap.toFixed(0)} px blank between ${this.describe(last)} and ${this.describe(b)}`);
        }
      }
      if (bottom === null || r.bottom > bottom) { bottom = r.bottom; last = b; }
    }
    return {blocks: blocks.length, largest: Math.round(largest), total: Math.round(total), problems};
  },

  // Floor: on phones nothing in main scrolls (or is cut off) sideways: no box past the viewport's
  // edges, and no box whose content is wider than it and scrolls or is clipped.
  phoneSideways() {
    const main = document.querySelector('main');
    const width = document.documentElement.clientWidth;
    const problems = [];
    const root = document.scrollingElement;
    if (root.scrollWidth > root.clientWidth) {
      problems.push(`the page scrolls: scrollWidth ${root.scrollWidth} > ${root.clientWidth}`);
    }
    for (const el of main.querySelectorAll('*')) {
      if (!this.seen(el)) continue;
      const r = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      if (r.right > width + 0.5 || r.left < -0.5) {
        problems.push(`${this.describe(el)} spans ${r.left.toFixed(0)}..${r.right.toFixed(0)} px of ${width}`);
      }
      if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 1
          && /auto|scroll|hidden|clip/.test(cs.overflowX)) {
        problems.push(`${this.describe(el)} holds ${el.scrollWidth} px in ${el.clientWidth} px (overflow-x ${cs.overflowX})`);
      }
    }
    return problems;
  },

  // Share groups in main: the containers of share links (mail, text message, WhatsApp, share
  // buttons), counted once each.
  shareGroups() {
    const main = document.querySelector('main');
    if (!main) return [];
    const links = main.querySelectorAll(
      'a[href^="mailto:?"], a[href^="sms:"], a[href*="wa.me/"], button[data-share], .share-button');
    const groups = new Set();
    for (const a of links) groups.add(a.closest('[role=group], ul, ol, div, p') || a.parentElement);
    return [...groups];
  },

  shareGroupCount() {
    return this.shareGroups().map((g) => this.describe(g));
  },

  // Headings whose self-link is missing (the contract keeps one per section heading).
  headingSelfLinks() {
    return this.selfLinks().map(({heading, links}) => ({
      id: heading.id, links: links.map((a) => this.linkName(a)),
    }));
  },

  // A link's name as assistive technology reads it (aria-label, else its text outside
  // aria-hidden parts), white space collapsed.
  linkName(a) {
    if (a.getAttribute('aria-label')) return a.getAttribute('aria-label').replace(/\s+/g, ' ').trim();
    let text = '';
    const walker = document.createTreeWalker(a, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      if (!t.parentElement.closest('[aria-hidden="true"]')) text += t.data;
    }
    return text.replace(/\s+/g, ' ').trim();
  },

  langOf(node) {
    const el = node.nodeType === 1 ? node : node.parentElement;
    const holder = el.closest('[lang]');
    return holder ? holder.getAttribute('lang').toLowerCase() : '';
  },

  // Floor (Spanish pages): the first text a reader meets in each excerpt figure is Spanish, in the
  // document's order and on screen (topmost line). The English original must still be there.
  spanishFirst() {
    const out = [];
    for (const fig of document.querySelectorAll('main figure.excerpt')) {
      const texts = this.visibleText(fig, []).filter((t) => /\p{L}{2}/u.test(t.data));
      const first = texts[0];
      let top = null;
      for (const t of texts) {
        const range = document.createRange();
        range.selectNodeContents(t);
        const r = range.getClientRects()[0];
        if (r && (top === null || r.top < top.r.top - 0.5)) top = {t, r};
      }
      out.push({
        figure: this.describe(fig),
        first: first ? {lang: this.langOf(first), text: first.data.trim().slice(0, 40)} : null,
        top: top ? {lang: this.langOf(top.t), text: top.t.data.trim().slice(0, 40)} : null,
        english: fig.querySelectorAll('blockquote[lang="en"]').length,
      });
    }
    return out;
  },

  // Excerpt figures by kind (an article excerpt cites this site's source page; a primary quote
  // cites the primary document elsewhere), with the style of their parts and what they show.
  figureStyles() {
    const props = [
      'font-style', 'font-weight', 'font-family', 'font-size', 'border-top-style',
      'border-right-style', 'border-bottom-style', 'border-left-style', 'border-top-width',
      'border-right-width', 'border-bottom-width', 'border-left-width', 'border-radius',
      'padding-left', 'padding-top', 'background-image', 'box-shadow', 'text-transform',
    ];
    const colour = ['color', 'background-color', 'border-left-color', 'border-top-color'];
    const snap = (el, list) => {
      if (!el) return {};
      const cs = getComputedStyle(el);
      const out = Object.fromEntries(list.map((p) => [p, cs.getPropertyValue(p)]));
      if (out['box-shadow'] !== undefined) out['box-shadow'] = out['box-shadow'] === 'none' ? 'none' : 'some';
      return out;
    };
    const parts = (fig) => ({
      figure: fig, blockquote: fig.querySelector('blockquote'), caption: fig.querySelector('figcaption'),
    });
    const out = [];
    for (const fig of document.querySelectorAll('main figure.excerpt')) {
      const q = fig.querySelector('blockquote[cite]');
      if (!q) continue;
      const cite = new URL(q.getAttribute('cite'), location.href);
      const article = cite.origin === location.origin && /\/sources\/[^/]+\/?$/.test(cite.pathname);
      const shape = {}, tint = {};
      for (const [name, el] of Object.entries(parts(fig))) {
        for (const [p, v] of Object.entries(snap(el, props))) shape[`${name} ${p}`] = v;
        for (const [p, v] of Object.entries(snap(el, colour))) tint[`${name} ${p}`] = v;
        if (el) {
          for (const pseudo of ['::before', '::after']) {
            const content = getComputedStyle(el, pseudo).content;
            shape[`${name}${pseudo} content`] = content === 'none' || content === 'normal' ? '' : content;
          }
        }
      }
      // What the figure shows besides the quote: its label and status (visible text only).
      const shown = this.visibleText(fig, [...fig.querySelectorAll('blockquote')])
        .map((t) => t.data).join(' ').replace(/\s+/g, ' ').trim();
      out.push({
        figure: this.describe(fig), article, cite: article ? cite.pathname + cite.hash : cite.href,
        shape, tint, shown,
      });
    }
    return out;
  },
})
