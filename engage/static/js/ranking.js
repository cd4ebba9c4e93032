// Ranking: drag and drop for pointer users, on top of the numbered places and move buttons (which work on
// their own, with the keyboard and without JavaScript). Dropping an item re-numbers every place in the new
// order, as the move buttons do, and the status line says where the item went.
const list = document.querySelector("[data-ranking-list]");
const status = document.getElementById("ranking-status");

function renumber(container) {
  const places = Number(container.dataset.places);
  [...container.querySelectorAll("[data-item]")].forEach((row, index) => {
    const select = row.querySelector("select");
    if (select) {
      select.value = index < places ? String(index + 1) : "";
    }
  });
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
      renumber(container);
      if (status && dragged) {
        const place = [...container.children].indexOf(dragged) + 1;
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
