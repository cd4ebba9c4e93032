// A workshop phone's dot vote or ranking: a running count above the boxes ("left to share out", or the
// places still to give) and big − and + buttons beside each box. The boxes stay the real controls (labelled,
// what the form sends, checked by the server as before); the buttons only type into them. Listeners sit on
// the document, so a form swapped in for the next round works without this script running again.

const numberIn = (input) => {
  const digits = input.value.replace(/[^0-9]/g, "");
  return digits === "" ? null : Number(digits);
};

const fill = (template, values) =>
  template.replace(/%\((\w+)\)s/g, (_whole, name) => String(values[name] ?? ""));

function recount(form) {
  const count = form.querySelector("[data-count]");
  if (!count) {
    return;
  }
  const values = [...form.querySelectorAll("input[data-room-number]")].map(numberIn);
  if (form.dataset.total !== "") {
    const total = Number(form.dataset.total);
    const left = total - values.reduce((sum, value) => sum + (value || 0), 0);
    count.textContent =
      left >= 0
        ? fill(count.dataset.leftText, { left, total })
        : fill(count.dataset.overText, { over: -left, total });
  } else if (form.dataset.places !== "") {
    const places = Number(form.dataset.places);
    const missing = [];
    for (let place = 1; place <= places; place += 1) {
      if (!values.includes(place)) {
        missing.push(place);
      }
    }
    count.textContent = missing.length
      ? fill(count.dataset.leftText, { places: missing.join(", ") })
      : count.dataset.doneText;
  }
}

function addSteppers(root) {
  for (const input of root.querySelectorAll("form[data-room-answer] input[data-room-number]")) {
    if (input.dataset.stepped) {
      continue;
    }
    input.dataset.stepped = "yes";
    const minus = stepButton(-1, input.dataset.less);
    const plus = stepButton(1, input.dataset.more);
    input.after(minus);
    minus.after(plus);
  }
}

function stepButton(change, label) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "app-room-step";
  button.textContent = change < 0 ? "−" : "+";
  button.setAttribute("aria-label", label);
  button.dataset.step = String(change);
  return button;
}

document.addEventListener("input", (event) => {
  const form = event.target.closest?.("form[data-room-answer]");
  if (form) {
    recount(form);
  }
});

document.addEventListener("click", (event) => {
  const button = event.target.closest?.("button.app-room-step");
  if (!button) {
    return;
  }
  const input = button.parentElement.querySelector("input[data-room-number]");
  const next = Math.max(0, (numberIn(input) || 0) + Number(button.dataset.step));
  input.value = String(next);
  input.dispatchEvent(new Event("input", { bubbles: true }));
});

addSteppers(document);
document.body.addEventListener("htmx:afterSettle", () => addSteppers(document));
