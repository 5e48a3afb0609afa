// DOM checks the browser gates run inside the page. One expression: an object of functions, each
// returning plain data (lists of problems as strings, or measurements) for Python to assert on.
({
  // Describe an element well enough to find it: tag, id, classes, href and the start of its text.
  describe(el) {
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (el.classList.length ? '.' + [...el.classList].join('.') : '');
    const text = (el.innerText || el.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ');
    const href = el.getAttribute('href');
    return name + (href ? `[href="${href}"]` : '') + (text ? ` "${text.slice(0, 40)}"` : '');
  },

  shown(el) {
    return el.checkVisibility({visibilityProperty: true, opacityProperty: true});
  },

  // After the first Tab: what has focus, and can a sighted keyboard user see it?
  focusedAfterFirstTab() {
    const el = document.activeElement;
    const main = document.querySelector('main');
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return {
      what: this.describe(el), tag: el.tagName, href: el.getAttribute('href'),
      text: (el.innerText || '').trim(), mainId: main ? main.id : null,
      inView: r.width >= 1 && r.height >= 1 && r.top >= 0 && r.left >= 0
        && r.bottom <= innerHeight && r.right <= innerWidth,
      onTop: !!hit && (hit === el || el.contains(hit)),
      shown: this.shown(el),
    };
  },

  focusIsOnMain() {
    return document.activeElement === document.querySelector('main');
  },

  // Focus each focusable element in turn and compare outline and box-shadow with its unfocused
  // state. Runs after a real Tab press, so Chromium treats focus() as keyboard focus and
  // :focus-visible applies (checked, so the comparison cannot pass by accident).
  focusStyles(selector) {
    const props = ['outline-style', 'outline-width', 'outline-color', 'box-shadow'];
    const snap = (el) => {
      const cs = getComputedStyle(el);
      return Object.fromEntries(props.map((p) => [p, cs.getPropertyValue(p)]));
    };
    const clear = (color) => color === 'transparent' || /^rgba\(.*,\s*0\)$/.test(color);
    const problems = [];
    let checked = 0;
    for (const el of document.querySelectorAll(selector)) {
      if (!this.shown(el)) continue;
      if (document.activeElement === el) el.blur();
      const before = snap(el);
      el.focus();
      if (document.activeElement !== el) {
        problems.push(`${this.describe(el)}: cannot take focus`);
        continue;
      }
      if (!el.matches(':focus-visible')) {
        problems.push(`${this.describe(el)}: focus() did not give :focus-visible`);
        continue;
      }
      const after = snap(el);
      checked += 1;
      const outline = after['outline-style'] !== 'none' && parseFloat(after['outline-width']) >= 2
        && !clear(after['outline-color']);
      const shadow = after['box-shadow'] !== 'none';
      const changed = props.some((p) => before[p] !== after[p]);
      if (!changed || !(outline || shadow)) {
        problems.push(`${this.describe(el)}: no visible focus style (outline `
          + `${after['outline-style']} ${after['outline-width']}, box-shadow ${after['box-shadow']})`);
      }
    }
    if (document.activeElement) document.activeElement.blur();
    return {checked, problems};
  },

  // WCAG 2.5.8 Target Size (Minimum): each target at least 24x24 CSS px, except (the "Inline"
  // exception) a target in a sentence, whose size is set by the line-height of the text around it.
  // Exempt here, exactly: a target whose own box is `display: inline` (its height comes from the
  // line, not from itself) AND whose nearest non-inline ancestor holds visible text outside every
  // target, so it sits in running text. A link alone in a list item, a button or an inline-block
  // is never exempt. The spacing exception is not used: a small target must be made bigger.
  targetSizes(selector) {
    const MIN = 24;
    const targets = new Set(document.querySelectorAll(selector));
    const inTarget = (node) => {
      for (let n = node; n; n = n.parentElement) if (targets.has(n)) return true;
      return false;
    };
    const blockOf = (el) => {
      let n = el.parentElement;
      while (n && getComputedStyle(n).display.startsWith('inline')) n = n.parentElement;
      return n || document.body;
    };
    const inSentence = (el) => {
      if (getComputedStyle(el).display !== 'inline') return false;
      const walker = document.createTreeWalker(blockOf(el), NodeFilter.SHOW_TEXT);
      for (let t = walker.nextNode(); t; t = walker.nextNode()) {
        if (!t.data.trim() || inTarget(t.parentElement) || !this.shown(t.parentElement)) continue;
        const r = t.parentElement.getBoundingClientRect();
        if (r.width > 1 && r.height > 1) return true;  // not a visually-hidden label
      }
      return false;
    };
    const problems = [];
    let checked = 0;
    for (const el of targets) {
      if (!this.shown(el)) continue;
      checked += 1;
      const r = el.getBoundingClientRect();
      if ((r.width >= MIN && r.height >= MIN) || inSentence(el)) continue;
      problems.push(`${this.describe(el)}: ${r.width.toFixed(1)}x${r.height.toFixed(1)} px`);
    }
    return {checked, problems};
  },

  // Reflow: the page must not scroll sideways. Name the elements that stick out, to fix them.
  sideways() {
    const root = document.scrollingElement;
    if (root.scrollWidth <= root.clientWidth) return [];
    const out = [];
    for (const el of document.body.querySelectorAll('*')) {
      if (!this.shown(el)) continue;
      const r = el.getBoundingClientRect();
      const spills = el.scrollWidth > el.clientWidth + 1
        && getComputedStyle(el).overflowX === 'visible';
      if (r.right > root.clientWidth + 0.5 || spills) {
        out.push(`${this.describe(el)} reaches ${Math.max(r.right, r.left + el.scrollWidth)
          .toFixed(0)}px`);
      }
    }
    return [`scrollWidth ${root.scrollWidth} > clientWidth ${root.clientWidth}`, ...out.slice(-5)];
  },

  // Overlap: boxes of text blocks (elements that hold visible text of their own, or replaced
  // content) must not intersect, unless one contains the other in the DOM.
  overlaps() {
    const blocks = [];
    for (const el of document.body.querySelectorAll('*')) {
      if (!this.shown(el)) continue;
      const display = getComputedStyle(el).display;
      if (display.startsWith('inline') || display === 'contents' || display === 'none') continue;
      const ownText = [...el.childNodes].some((n) => n.nodeType === 3 && n.data.trim())
        || [...el.children].some((c) => getComputedStyle(c).display.startsWith('inline')
          && c.textContent.trim());
      const media = /^(IMG|SVG|VIDEO|CANVAS|INPUT|BUTTON|SELECT|TEXTAREA)$/i.test(el.tagName);
      if (!ownText && !media) continue;
      const r = el.getBoundingClientRect();
      if (r.width <= 1 || r.height <= 1) continue;  // visually hidden
      blocks.push({el, r});
    }
    const problems = [];
    const slack = 1;
    for (let i = 0; i < blocks.length; i++) {
      for (let j = i + 1; j < blocks.length; j++) {
        const a = blocks[i], b = blocks[j];
        if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
        const x = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
        const y = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
        if (x > slack && y > slack) {
          problems.push(`${this.describe(a.el)} overlaps ${this.describe(b.el)} by `
            + `${x.toFixed(0)}x${y.toFixed(0)} px`);
        }
      }
    }
    return {checked: blocks.length, problems};
  },

  // Print: navigation hidden; each off-site link in main shows its address after it.
  print() {
    const problems = [];
    const hidden = (el) => !el.checkVisibility() || el.getClientRects().length === 0;
    const navs = document.querySelectorAll('nav');
    for (const nav of navs) if (!hidden(nav)) problems.push(`${this.describe(nav)} is printed`);
    for (const a of document.querySelectorAll('a[href]')) {
      if (a.closest('main, footer') || hidden(a)) continue;
      problems.push(`${this.describe(a)}: a navigation link outside main is printed`);
    }
    let links = 0;
    for (const a of document.querySelectorAll('main a[href^="http"]')) {
      if (hidden(a)) continue;
      links += 1;
      const href = a.getAttribute('href');
      if (a.innerText.trim() === href) continue;  // the address is already its text
      const after = getComputedStyle(a, '::after');
      const content = after.getPropertyValue('content');
      const shows = after.display !== 'none'
        && (content.includes(href) || /attr\(\s*href\s*\)/.test(content));
      if (!shows) problems.push(`${this.describe(a)}: address not printed (::after ${content})`);
    }
    return {navs: navs.length, links, problems};
  },

  // No JavaScript: what a reader gets from the page.
  snapshot() {
    const norm = (text) => text.replace(/\s+/g, ' ').trim();
    const main = document.querySelector('main');
    return {
      text: main ? main.innerText.split('\n').map(norm).filter(Boolean) : [],
      quotes: [...document.querySelectorAll('blockquote')].map((q) => norm(q.textContent)).sort(),
      links: [...new Set([...document.querySelectorAll('a[href]')]
        .map((a) => a.getAttribute('href')))].sort(),
    };
  },

  // Take out the controls scripts add (copy link, share): script-added buttons, then any
  // script-added wrapper left without text. Anything else a script adds stays, and must match.
  dropScriptButtons() {
    const added = '[data-test-script-added]';
    const buttons = document.querySelectorAll(`button${added}, ${added} button`);
    buttons.forEach((button) => button.remove());
    document.querySelectorAll(added).forEach((el) => { if (!el.textContent.trim()) el.remove(); });
    return buttons.length;
  },
})
