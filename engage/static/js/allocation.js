// Budget allocation: a slider beside each amount box, for pointer and touch users. The number box stays
// the real control (labelled, keyboard and screen-reader friendly, and what the form sends); the slider is
// hidden from assistive technology and out of the tab order, and moving it types into the box, which
// fires the same input event htmx listens for to update the running total.
// Whole amounts grouped the page language's way (the server reads back any of these groupings).
const grouped = new Intl.NumberFormat(document.documentElement.lang || "en-GB", { maximumFractionDigits: 0 });

for (const input of document.querySelectorAll("input[data-slider-max]")) {
  const max = Number(input.dataset.sliderMax);
  if (!Number.isFinite(max) || max <= 0) {
    continue;
  }
  const slider = document.createElement("input");
  slider.type = "range";
  slider.className = "app-slider";
  slider.min = input.dataset.sliderMin || "0";
  slider.max = String(max);
  slider.step = input.dataset.sliderStep || "1";
  slider.tabIndex = -1;
  slider.setAttribute("aria-hidden", "true");
  const amount = () => Number(input.value.replace(/[^0-9]/g, "")) || 0;
  slider.value = String(Math.min(amount(), max));
  slider.addEventListener("input", () => {
    input.value = grouped.format(Number(slider.value));
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
  // A typed amount is shown grouped (600,000) once the resident leaves the box, as the server writes it.
  input.addEventListener("change", () => {
    if (/^[\s\d,\u00a0\u202f]+$/.test(input.value) && /\d/.test(input.value)) {
      input.value = grouped.format(amount());
    }
  });
  input.addEventListener("input", () => {
    slider.value = String(Math.min(amount(), max));
  });
  const wrapper = input.closest(".govuk-input__wrapper") || input;
  wrapper.insertAdjacentElement("afterend", slider);
}
