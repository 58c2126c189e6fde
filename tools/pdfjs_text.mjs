// The text pdf.js (Firefox's PDF viewer) gives for a PDF: every page's text items in
// order, a line break where pdf.js ends a line. Usage: node pdfjs_text.mjs FILE.pdf
// Needs npm's pdfjs-dist (legacy build) under build/pdfjs (see tools/reader_text.py).
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

if (!Promise.withResolvers) {          // node 20 lacks it; pdf.js 4 uses it
  Promise.withResolvers = function () {
    let resolve, reject;
    const promise = new Promise((yes, no) => { resolve = yes; reject = no; });
    return { promise, resolve, reject };
  };
}
const require = createRequire(import.meta.url);
const where = process.env.PDFJS_DIR;
const pdfjs = await import(require.resolve("pdfjs-dist/legacy/build/pdf.mjs", { paths: [where] }));
const data = new Uint8Array(await readFile(process.argv[2]));
const document = await pdfjs.getDocument({ data, useSystemFonts: false, verbosity: 0 }).promise;
let out = "";
for (let number = 1; number <= document.numPages; number++) {
  const page = await document.getPage(number);
  const content = await page.getTextContent();
  for (const item of content.items) {
    out += item.str;
    if (item.hasEOL) out += "\n";
  }
  out += "\n\f";
}
process.stdout.write(out);
