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
// users continue from the new question, not from a button that no longer exists.
document.body.addEventListener("htmx:afterSettle", () => {
  const target = document.querySelector("[data-autofocus]");
  if (target) {
    target.focus();
  }
});
