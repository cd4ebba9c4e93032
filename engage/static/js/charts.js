// Draws each Plotly figure whose JSON the server put in a data-plotly attribute (no inline scripts: strict CSP),
// on load and again whenever htmx swaps in new content (the workshop projector refreshes every two seconds).
function drawCharts(root) {
  for (const element of root.querySelectorAll("[data-plotly]")) {
    const figure = JSON.parse(element.dataset.plotly);
    // No mode bar: its buttons would be focusable inside a chart hidden from screen readers; the table beside
    // the chart is the accessible version.
    window.Plotly.react(element, figure.data, figure.layout, { displayModeBar: false, responsive: true });
  }
}

drawCharts(document);
document.body.addEventListener("htmx:afterSettle", (event) => drawCharts(event.detail.elt.parentElement || document));
