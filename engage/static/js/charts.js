// Draws each Plotly figure whose JSON the server put in a data-plotly attribute (no inline scripts: strict CSP).
for (const element of document.querySelectorAll("[data-plotly]")) {
  const figure = JSON.parse(element.dataset.plotly);
  window.Plotly.newPlot(element, figure.data, figure.layout, {
    displaylogo: false,
    responsive: true,
    modeBarButtonsToRemove: ["select2d", "lasso2d"],
  });
}
