// The form's optional helpers; everything works without them.
// - the language list gets a search box that narrows its options;
// - Print opens the PDF in a hidden frame and prints it, instead of a new tab.
"use strict";

function setUpLanguageSearch() {
  const box = document.querySelector(".language-search");
  const select = document.querySelector("select.languages");
  if (!box || !select) return;
  box.hidden = false;
  const search = box.querySelector("input");
  search.addEventListener("input", () => {
    const words = search.value.trim().toLowerCase();
    let first = null;
    for (const option of select.options) {
      const match = !words || option.dataset.search.includes(words);
      option.hidden = !match;
      if (match && !option.disabled && !first) first = option;
    }
    // Pick the first match so Enter submits what the list shows.
    if (first && words) select.value = first.value;
  });
}

function setUpPrint() {
  const button = document.getElementById("print");
  const form = document.getElementById("handout-actions");
  const status = document.getElementById("print-status");
  if (!button || !form || !window.fetch) return;
  button.addEventListener("click", async (event) => {
    event.preventDefault();
    status.textContent = "Preparing the PDF for printing…";
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
      frame.title = "Handout for printing";
      frame.style.position = "fixed";
      frame.style.width = "1px";
      frame.style.height = "1px";
      frame.style.opacity = "0";
      frame.src = url;
      frame.addEventListener("load", () => {
        status.textContent = "The print dialog is open.";
        try { frame.contentWindow.focus(); frame.contentWindow.print(); }
        catch (error) { window.open(url, "_blank", "noopener"); }
      });
      document.body.appendChild(frame);
    } catch (error) {
      status.textContent = "Could not prepare the PDF; use Download PDF and print it.";
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
