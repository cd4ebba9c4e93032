// Draws each Plotly figure whose JSON the server put in a data-plotly attribute (no inline scripts: strict CSP),
// on load and again whenever htmx swaps in new content (the workshop projector refreshes every two seconds).
//
// Each chart is fitted to the width it gets (engage/charts.py, laid_out): a chart of one row per item writes
// each item's name above its row across the whole width, wrapped, and grows tall enough for the rows and their
// lines; axis titles are wrapped, never cut. Below MIN_WIDTH the chart gives way to the table that is always
// beside it. It is fitted again when its width changes (a phone turned, a window resized).

const MIN_WIDTH = 240; // px: narrower than this, a chart cannot be read; the table carries the figures
const FONT = 14; // px, the house style's font size
const LINE = 18; // px per line of a wrapped label
const TITLE_LINE = 22; // px per line of a wrapped axis title
const BAR = 26; // px: a row's bar, box or interval line
const RIGHT = 22; // px right of the plot: room for the last tick label, half of "100" and a little more

// Text is wrapped by its width as the browser draws it (any script, any font), measured on a canvas.
const measure = document.createElement("canvas").getContext("2d");

function unescapeText(text) {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function escapeText(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

// Lines of at most `width` px, broken between words; a word wider than that is broken with a hyphen.
// The text was escaped by the server (laid_out); the lines are escaped again for Plotly.
function wrap(text, width) {
  const fits = (line) => measure.measureText(line).width <= width;
  const lines = [];
  let line = "";
  for (let word of unescapeText(String(text)).split(/\s+/).filter(Boolean)) {
    if (line && fits(`${line} ${word}`)) {
      line = `${line} ${word}`;
      continue;
    }
    if (line) lines.push(line);
    line = "";
    while (!fits(word)) {
      // Break after a hyphen the word has where one fits, or else add one.
      const piece = (cut) => (word[cut - 1] === "-" ? word.slice(0, cut) : `${word.slice(0, cut)}-`);
      let cut = word.length - 1;
      while (cut > 1 && !fits(piece(cut))) cut -= 1;
      const hyphen = word.lastIndexOf("-", cut - 1) + 1;
      if (hyphen > cut / 2) cut = hyphen;
      lines.push(piece(cut));
      word = word.slice(cut);
    }
    line = word;
  }
  if (line) lines.push(line);
  return lines.map(escapeText);
}

// An axis title is drawn 1.2 times the chart's font size (Plotly's default), so it is measured at that size.
function wrapTitle(axis, width, font) {
  const title = axis && axis.title;
  if (!title || !title.text) return 0;
  const size = (title.font && title.font.size) || Math.round(1.2 * (font.size || FONT));
  measure.font = `${size}px ${font.family || "sans-serif"}`;
  const lines = wrap(title.text, width);
  measure.font = `${font.size || FONT}px ${font.family || "sans-serif"}`;
  axis.title = { ...title, text: lines.join("<br>") };
  return lines.length;
}

// A chart of rows: each name above its row, each row as tall as its name's lines and a bar of BAR px. The y
// axis is laid out in pixels (a row's position is where its bar is drawn, from the bottom), so a row with a
// long name takes more room without spreading the others apart; the traces' category names become those
// positions, and hover labels keep the names.
function fitRows(layout, data, plotWidth) {
  const rows = layout.meta.rows;
  const labels = rows.map((row) => wrap(row, plotWidth - 4)); // an annotation's own padding
  // meta.rows are in Plotly's order, bottom first, unless the axis is reversed (first at the top).
  const order = rows.map((_row, k) => k);
  if (layout.yaxis.autorange === "reversed") order.reverse();
  const position = new Map();
  let height = 0;
  for (const k of order) {
    position.set(rows[k], height + BAR / 2 + 4);
    height += labels[k].length * LINE + BAR + 10;
  }
  layout.yaxis = {
    ...layout.yaxis,
    showticklabels: false,
    showgrid: false,
    zeroline: false,
    autorange: false,
    range: [0, height],
    fixedrange: true,
  };
  layout.annotations = rows.map((row, k) => ({
    text: labels[k].join("<br>"),
    x: 0,
    xref: "paper",
    xanchor: "left",
    align: "left",
    y: position.get(row),
    yref: "y",
    yanchor: "bottom",
    yshift: BAR / 2,
    showarrow: false,
    font: { size: FONT },
  }));
  for (const trace of data) {
    if (!Array.isArray(trace.y)) continue;
    trace.customdata = trace.y;
    trace.y = trace.y.map((name) => position.get(name));
    if (trace.hovertemplate) trace.hovertemplate = trace.hovertemplate.replace("%{y}", "%{customdata}");
    if (trace.type === "box") trace.width = BAR * 0.8;
    if (trace.type === "bar") trace.width = BAR;
  }
  return height;
}

function fitted(figure, width) {
  const layout = structuredClone(figure.layout);
  const data = structuredClone(figure.data);
  const font = layout.font || {};
  measure.font = `${font.size || FONT}px ${font.family || "sans-serif"}`;
  const margin = { l: 10, r: 10, t: 10, b: 50, ...layout.margin };
  const rows = Boolean(layout.meta && layout.meta.rows);
  if (rows) {
    margin.l = 10;
    margin.r = RIGHT;
    margin.t = 6;
  }
  const plotWidth = width - margin.l - margin.r;
  const xLines = wrapTitle(layout.xaxis, plotWidth - 10, font);
  const yLines = wrapTitle(layout.yaxis, Math.max(60, plotWidth / 2), font);
  let plot = (layout.height || 300) - margin.t - margin.b;
  if (rows) plot = fitRows(layout, data, plotWidth);
  // Tick labels, then the axis title's lines, then (when there is one) a legend below them.
  margin.b = 30 + xLines * TITLE_LINE + 10;
  if (layout.showlegend !== false && data.length > 1 && layout.legend) {
    const legendTop = margin.b;
    margin.b += width < 480 ? 2 * LINE + 10 : LINE + 10;
    layout.legend = { ...layout.legend, orientation: "h", x: 0, xanchor: "left", y: -legendTop / plot, yanchor: "top" };
  }
  if (yLines > 1) layout.yaxis = { ...layout.yaxis, automargin: true };
  layout.margin = margin;
  layout.height = Math.round(plot + margin.t + margin.b);
  layout.width = width;
  return { data, layout };
}

// The width inside an element's padding (a grid column has 15 px each side): what a chart may take.
function contentWidth(element) {
  const style = getComputedStyle(element);
  return Math.floor(element.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight));
}

function draw(element) {
  const figureElement = element.closest("figure") || element;
  const width = contentWidth(figureElement.parentElement || element);
  // Too narrow to read: the table beside it has the same figures.
  figureElement.hidden = width < MIN_WIDTH;
  if (figureElement.hidden) return;
  if (Number(element.dataset.drawnWidth) === width) return;
  element.dataset.drawnWidth = String(width);
  const { data, layout } = fitted(JSON.parse(element.dataset.plotly), width);
  // No mode bar: its buttons would be focusable inside a chart hidden from screen readers; the table beside
  // the chart is the accessible version.
  window.Plotly.react(element, data, layout, { displayModeBar: false, responsive: false });
}

const observer = new ResizeObserver((entries) => {
  for (const entry of entries) {
    for (const element of entry.target.querySelectorAll(":scope > figure > [data-plotly], :scope > [data-plotly]")) {
      draw(element);
    }
  }
});

function drawCharts(root) {
  for (const element of root.querySelectorAll("[data-plotly]")) {
    delete element.dataset.drawnWidth; // new content: draw it afresh
    draw(element);
    const figureElement = element.closest("figure") || element;
    if (figureElement.parentElement) observer.observe(figureElement.parentElement);
  }
}

drawCharts(document);
document.body.addEventListener("htmx:afterSettle", (event) => drawCharts(event.detail.elt.parentElement || document));
