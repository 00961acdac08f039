// The journey chart: open the box on the current state, and zoom without losing it.
(() => {
  const box = document.getElementById("diagram-box");
  const chart = box && box.querySelector("object.chart");
  if (!chart) return;
  const width = Number(chart.getAttribute("width"));
  const height = Number(chart.getAttribute("height"));
  let zoom = 1;

  // Centre the box on the state marked "current" inside the chart's own document.
  const showCurrent = () => {
    const svg = chart.contentDocument && chart.contentDocument.querySelector("svg");
    const current = svg && svg.querySelector(".current");
    if (!current) return;
    const node = current.getBoundingClientRect(); // in the chart's own coordinates
    const scale = chart.getBoundingClientRect().width / svg.getBoundingClientRect().width;
    box.scrollLeft = (node.left + node.width / 2) * scale - box.clientWidth / 2;
    box.scrollTop = (node.top + node.height / 2) * scale - box.clientHeight / 2;
  };

  const setZoom = (value) => {
    zoom = Math.min(1.5, Math.max(0.5, value));
    chart.width = String(Math.round(width * zoom));
    chart.height = String(Math.round(height * zoom));
    const svg = chart.contentDocument && chart.contentDocument.querySelector("svg");
    if (svg) {
      svg.setAttribute("width", "100%");
      svg.setAttribute("height", "100%");
    }
    showCurrent();
  };

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-diagram-zoom]");
    if (!button) return;
    const how = button.dataset.diagramZoom;
    if (how === "in") setZoom(zoom + 0.25);
    else if (how === "out") setZoom(zoom - 0.25);
    else setZoom(1);
  });
  if (chart.contentDocument && chart.contentDocument.querySelector("svg .current")) setZoom(1);
  chart.addEventListener("load", () => setZoom(1));
})();
