// Reader view as Firefox makes it: @mozilla/readability on jsdom. Reads a JSON list of
// {url, html} on standard input and writes, for each, {url, content, title} (content is the HTML
// Readability keeps, or null when it finds no article). Run by tests/browser/test_reading.py with
// NODE_PATH set to tools/node_modules.
'use strict';
const {JSDOM, VirtualConsole} = require('jsdom');
const {Readability} = require('@mozilla/readability');

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const out = [];
  for (const {url, html} of JSON.parse(input)) {
    // No scripts, no sub-resources: jsdom only parses, as a reader-view extractor does.
    const dom = new JSDOM(html, {url, virtualConsole: new VirtualConsole()});
    const article = new Readability(dom.window.document).parse();
    out.push({url, content: article ? article.content : null, title: article ? article.title : null});
    dom.window.close();
  }
  process.stdout.write(JSON.stringify(out));
});
