// Dashboard charts: read the suppressed counts from the page's JSON block and draw them with
// Vega-Lite. Vega's expression interpreter is used so no code is generated at run time (the
// Content-Security-Policy forbids eval), and the canvas renderer sets no inline styles.
(function () {
  "use strict";
  function draw() {
    var block = document.getElementById("chart-data");
    if (!block || typeof vegaEmbed === "undefined") { return; }
    var data = JSON.parse(block.textContent);
    document.querySelectorAll(".chart[data-dimension]").forEach(function (node) {
      var dimension = node.getAttribute("data-dimension");
      var chart = data[dimension];
      if (!chart || !chart.rows.length) { return; }
      var yearly = dimension === "year";
      var spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        width: "container",
        height: yearly ? 220 : Math.max(120, chart.rows.length * 22),
        data: { values: chart.rows },
        mark: yearly ? { type: "bar", color: "#b8322a", cornerRadiusEnd: 2 }
                     : { type: "bar", color: "#2f5d8a", cornerRadiusEnd: 2 },
        encoding: yearly ? {
          x: { field: "label", type: "ordinal", title: null, axis: { labelAngle: -45 } },
          y: { field: "count", type: "quantitative", title: null },
          tooltip: [{ field: "label", title: " " }, { field: "count", title: "n", format: "," }]
        } : {
          y: { field: "label", type: "nominal", sort: "-x", title: null, axis: { labelLimit: 220 } },
          x: { field: "count", type: "quantitative", title: null },
          tooltip: [{ field: "label", title: " " }, { field: "count", title: "n", format: "," }]
        },
        config: { view: { stroke: null }, axis: { labelFont: "system-ui, sans-serif", labelFontSize: 11,
                  gridColor: "#eceff3", domainColor: "#c5ccd6", tickColor: "#c5ccd6" } }
      };
      vegaEmbed(node, spec, { renderer: "canvas", actions: false, ast: true, defaultStyle: false,
                              tooltip: { disableDefaultStyle: true },
                              expr: vega.expressionInterpreter })
        .then(function () { node.classList.add("drawn"); })
        .catch(function (error) { node.textContent = ""; console.error(error); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
