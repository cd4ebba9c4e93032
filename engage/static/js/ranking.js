// Ranking: drag and drop for pointer users, on top of the numbered places and move buttons (which work on
// their own, with the keyboard and without JavaScript). Dropping an item re-numbers every place in the new
// order (only the items placed already and the one dropped), and the status line says where the item went.
const list = document.querySelector("[data-ranking-list]");
const status = document.getElementById("ranking-status");

// Only the items the resident has placed, and the one just dropped, get places (in their new order, up to
// the number of places); an item nobody placed stays without one.
function renumber(container, dropped) {
  const places = Number(container.dataset.places);
  let next = 1;
  for (const row of container.querySelectorAll("[data-item]")) {
    const select = row.querySelector("select");
    if (!select) {
      continue;
    }
    const placed = select.value !== "" || row === dropped;
    select.value = placed && next <= places ? String(next++) : "";
  }
}

function enable(container) {
  let dragged = null;
  for (const row of container.querySelectorAll("[data-item]")) {
    row.draggable = true;
    row.addEventListener("dragstart", (event) => {
      dragged = row;
      row.classList.add("app-ranking__item--dragging");
      event.dataTransfer.effectAllowed = "move";
    });
    row.addEventListener("dragend", () => {
      row.classList.remove("app-ranking__item--dragging");
      dragged = null;
    });
    row.addEventListener("dragover", (event) => {
      if (!dragged || dragged === row) {
        return;
      }
      event.preventDefault();
      const box = row.getBoundingClientRect();
      const after = event.clientY > box.top + box.height / 2;
      row.insertAdjacentElement(after ? "afterend" : "beforebegin", dragged);
    });
    row.addEventListener("drop", (event) => {
      event.preventDefault();
      renumber(container, dragged);
      const place = dragged ? dragged.querySelector("select")?.value : "";
      if (status && place) {
        const title = dragged.querySelector(".app-ranking__title").textContent.trim();
        const message = status.dataset.movedMessage || "{item}: {place}";
        status.textContent = message.replace("{item}", title).replace("{place}", String(place));
      }
    });
  }
}

if (list) {
  enable(list);
  // htmx replaces the list after a move button: enable the new one.
  document.body.addEventListener("htmx:afterSettle", () => {
    const fresh = document.querySelector("[data-ranking-list]");
    if (fresh) {
      enable(fresh);
    }
  });
}
