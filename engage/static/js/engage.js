// Engage's page script: GOV.UK Frontend components, and the CSRF token on every htmx request.
import { initAll } from "../build/govuk-frontend.min.js";

initAll();

const csrfMeta = document.querySelector('meta[name="csrf-token"]');
document.body.addEventListener("htmx:configRequest", (event) => {
  if (csrfMeta) {
    event.detail.headers["X-CSRFToken"] = csrfMeta.content;
  }
});
