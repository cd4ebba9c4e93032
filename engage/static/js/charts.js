// Draws each Plotly figure whose JSON the server put in a data-plotly attribute (no inline scripts: strict CSP).
for (const element of document.querySelectorAll("[data-plotly]")) {
  const figure = JSON.parse(element.dataset.plotly);
  // No mode bar: its buttons would be focusable inside a chart hidden from screen readers; the table beside
  // the chart is the accessible version.
  window.Plotly.newPlot(element, figure.data, figure.layout, { displayModeBar: false, responsive: true });
}
