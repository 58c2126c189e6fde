// The form's optional helpers; everything works without them.
// - the language list gets a search box that narrows its options;
// - Print opens the PDF in a hidden frame and prints it, instead of a new tab.
// Words shown come from the page (data-* attributes), in the interface language.
"use strict";

// Names people type for a language that are not its CLDR name (lower case -> id).
const LANGUAGE_ALIASES = { farsi: "fa", tagalog: "tl", filipino: "tl", chinese: "zh" };

// How well an option matches what was typed: 0 its id (or an alias of it), 1 a word of
// its native or English name (or an alias) starting with it, 2 anywhere in a name;
// null for no match. Ranked, because the first substring hit picks wrong languages:
// "ar" is in Amharic, "pa" in Spanish, "ur" in Burmese.
function languageRank(option, words) {
  const id = option.value.toLowerCase();
  const typed = words.replace(/-/g, "_");
  const alias = LANGUAGE_ALIASES[typed];
  if (id === typed || (alias && (id === alias || id.startsWith(alias + "_")))) return 0;
  const names = option.dataset.names;
  const nameWords = names.split(/[\s()\[\],.·—-]+/).filter(Boolean);
  const aliasStarts = Object.keys(LANGUAGE_ALIASES).some((name) => name.startsWith(typed)
    && (id === LANGUAGE_ALIASES[name] || id.startsWith(LANGUAGE_ALIASES[name] + "_")));
  if (names.startsWith(words) || nameWords.some((word) => word.startsWith(words))
      || aliasStarts) return 1;
  if (names.includes(words) || id.includes(typed)) return 2;
  return null;
}

function setUpLanguageSearch() {
  const box = document.querySelector(".language-search");
  const select = document.querySelector("select.languages");
  if (!box || !select) return;
  box.hidden = false;
  const search = box.querySelector("input");
  search.addEventListener("input", () => {
    const words = search.value.trim().toLowerCase();
    let best = null;
    let bestRank = null;
    for (const option of select.options) {
      const rank = words ? languageRank(option, words) : 0;
      option.hidden = rank === null;
      // The best rank wins; among equals, the first in the list.
      if (rank !== null && !option.disabled && (bestRank === null || rank < bestRank)) {
        best = option;
        bestRank = rank;
      }
    }
    // Pick the best match so Enter submits what the list shows.
    if (best && words) select.value = best.value;
  });
}

function setUpPrint() {
  const button = document.getElementById("print");
  const form = document.getElementById("handout-actions");
  const status = document.getElementById("print-status");
  if (!button || !form || !window.fetch) return;
  button.addEventListener("click", async (event) => {
    event.preventDefault();
    status.textContent = form.dataset.preparing;
    const data = new FormData(form);
    data.set("disposition", "inline");
    try {
      const response = await fetch("/pdf", { method: "POST", body: data, credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      const url = URL.createObjectURL(await response.blob());
      let frame = document.getElementById("print-frame");
      if (frame) frame.remove();
      frame = document.createElement("iframe");
      frame.id = "print-frame";
      frame.title = form.dataset.frameTitle;
      frame.style.position = "fixed";
      frame.style.width = "1px";
      frame.style.height = "1px";
      frame.style.opacity = "0";
      frame.src = url;
      frame.addEventListener("load", () => {
        status.textContent = form.dataset.printing;
        try { frame.contentWindow.focus(); frame.contentWindow.print(); }
        catch (error) { window.open(url, "_blank", "noopener"); }
      });
      document.body.appendChild(frame);
    } catch (error) {
      status.textContent = form.dataset.failed;
    }
  });
}

function focusErrors() {
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
}

document.addEventListener("DOMContentLoaded", () => {
  setUpLanguageSearch();
  setUpPrint();
  focusErrors();
});
