// Sortable tables: each column header of a table marked data-sortable becomes a button that sorts the rows
// by that column, with aria-sort telling screen readers the order. Without JavaScript the table stays in
// the server's order (best first).
for (const table of document.querySelectorAll("table[data-sortable]")) {
  const headers = [...table.querySelectorAll("thead th")];
  const body = table.tBodies[0];
  headers.forEach((header, column) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "app-sort-button";
    button.textContent = header.textContent.trim();
    header.textContent = "";
    header.append(button);
    button.addEventListener("click", () => {
      const ascending = header.getAttribute("aria-sort") !== "ascending";
      const value = (row) => {
        const text = row.cells[column].textContent.trim();
        const number = parseFloat(text.replace(/,/g, ""));
        return Number.isNaN(number) ? text.toLowerCase() : number;
      };
      const rows = [...body.rows].sort((a, b) => {
        const [x, y] = [value(a), value(b)];
        const order = x < y ? -1 : x > y ? 1 : 0;
        return ascending ? order : -order;
      });
      body.append(...rows);
      headers.forEach((other) => other.removeAttribute("aria-sort"));
      header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    });
  });
}
