// Engage's page script: GOV.UK Frontend components, and the CSRF token on every htmx request.
import { initAll } from "../build/govuk-frontend.min.js";

initAll();

const csrfMeta = document.querySelector('meta[name="csrf-token"]');
document.body.addEventListener("htmx:configRequest", (event) => {
  if (csrfMeta) {
    event.detail.headers["X-CSRFToken"] = csrfMeta.content;
  }
});

// After htmx swaps in new content (the next pair), move focus to its heading so keyboard and screen-reader
// users continue from the new question, not from a button that no longer exists. Once only: a later swap
// elsewhere on the page (a workshop's status line) must not pull focus back from a box being typed in, so
// the marker is taken off once used, and off what the page loaded with (where the reader starts anyway).
for (const loaded of document.querySelectorAll("[data-autofocus]")) {
  loaded.removeAttribute("data-autofocus");
}
document.body.addEventListener("htmx:afterSettle", () => {
  const target = document.querySelector("[data-autofocus]");
  if (target) {
    target.removeAttribute("data-autofocus");
    target.focus();
  }
});

// A refused action (a choice sent too often, a form open too long, the service unavailable) answers with a
// whole error page, which htmx would drop, leaving the button doing nothing. For a post, the error page's
// <main> takes the place of this one (its title too) and its heading gets the focus, so everyone is told
// what happened and what to do, as without scripts. A poll that fails keeps the page and tries again.
document.body.addEventListener("htmx:beforeSwap", (event) => {
  const detail = event.detail;
  const main = document.querySelector("main");
  if (detail.xhr.status < 400 || detail.requestConfig.verb !== "post" || !main) {
    return;
  }
  if (!/<main[\s>]/.test(detail.serverResponse || "")) {
    return;
  }
  detail.shouldSwap = true;
  detail.isError = false;
  detail.target = main;
  detail.selectOverride = "main";
  detail.swapOverride = "outerHTML";
  document.body.addEventListener(
    "htmx:afterSettle",
    () => {
      const heading = document.querySelector("main h1");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
    },
    { once: true },
  );
});

// A "copy" button (data-copy names what to copy, data-copy-status the live region that says it worked): it
// stays hidden without scripts or where the browser has no clipboard, and the text is on the page anyway.
for (const button of document.querySelectorAll("button[data-copy]")) {
  const source = document.getElementById(button.dataset.copy);
  const status = document.getElementById(button.dataset.copyStatus);
  if (!source || !status || !navigator.clipboard) {
    continue;
  }
  button.hidden = false;
  button.addEventListener("click", async () => {
    status.textContent = "";
    try {
      await navigator.clipboard.writeText(source.textContent.trim());
      status.textContent = button.dataset.copied;
    } catch {
      status.textContent = button.dataset.notCopied;
    }
  });
}
