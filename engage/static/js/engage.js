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
