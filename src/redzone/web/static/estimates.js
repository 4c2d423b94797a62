// Estimate charts: read the page's JSON block and draw, with Vega-Lite (expression interpreter, canvas
// renderer: nothing the Content-Security-Policy forbids), (1) documented against estimated per stratum,
// points with interval bars, and (2) for each stratum the competing methods side by side, the
// documented count marked as a vertical line, and the next-best models of each search as grey dots. The tables beside the charts hold the same numbers.
(function () {
  "use strict";

  var COLORS = { documented: "#17324d", estimate: "#b8322a", interval: "#e39a93" };
  var CONFIG = { view: { stroke: null }, axis: { labelFont: "system-ui, sans-serif", labelFontSize: 11,
    titleFont: "system-ui, sans-serif", titleFontWeight: 500, gridColor: "#eceff3", domainColor: "#c5ccd6",
    tickColor: "#c5ccd6", labelLimit: 240 }, legend: { labelFont: "system-ui, sans-serif", orient: "bottom" } };

  function embed(node, spec) {
    spec.$schema = "https://vega.github.io/schema/vega-lite/v5.json";
    spec.config = CONFIG;
    vegaEmbed(node, spec, { renderer: "canvas", actions: false, ast: true, defaultStyle: false,
                            tooltip: { disableDefaultStyle: true }, expr: vega.expressionInterpreter })
      .then(function () { node.classList.add("drawn"); })
      .catch(function (error) { node.textContent = ""; console.error(error); });
  }

  function headline(stratum) {
    var found = stratum.methods.filter(function (m) { return m.method !== "chao"; });
    return found.length ? found[0] : stratum.methods[0];
  }

  function strataChart(node, data) {
    var values = [];
    data.strata.forEach(function (s) {
      values.push({ label: s.label, kind: data.documented, value: s.observed, low: null, high: null });
      var best = headline(s);
      if (best) { values.push({ label: s.label, kind: best.name, value: best.estimate, low: best.low, high: best.high }); }
    });
    var order = data.strata.map(function (s) { return s.label; });
    var kinds = [data.documented].concat(values.filter(function (v) { return v.kind !== data.documented; })
      .map(function (v) { return v.kind; }).filter(function (k, i, all) { return all.indexOf(k) === i; }));
    var palette = [COLORS.documented, COLORS.estimate, "#2f5d8a", "#7a3e00", "#2e7d4f"];
    var y = { field: "label", type: "nominal", sort: order, title: null };
    embed(node, {
      width: "container", height: Math.max(60, order.length * 30),
      data: { values: values },
      layer: [
        { mark: { type: "rule", strokeWidth: 3, color: COLORS.interval },
          transform: [{ filter: { field: "low", valid: true } }],
          encoding: { y: y, x: { field: "low", type: "quantitative", title: null }, x2: { field: "high" } } },
        { mark: { type: "point", filled: true, size: 90, opacity: 1 },
          encoding: { y: y, x: { field: "value", type: "quantitative", title: null },
            color: { field: "kind", type: "nominal", title: null, scale: { domain: kinds, range: palette.slice(0, kinds.length) } },
            shape: { field: "kind", type: "nominal", title: null, scale: { domain: kinds, range: ["diamond"].concat(kinds.slice(1).map(function () { return "circle"; })) } },
            tooltip: [{ field: "label", title: " " }, { field: "kind", title: " " }, { field: "value", title: "n", format: ",.0f" },
                      { field: "low", title: "low", format: ",.0f" }, { field: "high", title: "high", format: ",.0f" }] } }
      ]
    });
  }

  function methodsChart(node, stratum, documented) {
    if (!stratum || !stratum.methods.length) { node.classList.add("empty"); return; }
    var order = stratum.methods.map(function (m) { return m.name; });
    var y = { field: "name", type: "nominal", sort: order, title: null };
    embed(node, {
      width: "container", height: Math.max(60, order.length * 34),
      layer: [
        { data: { values: stratum.methods }, mark: { type: "rule", strokeWidth: 3, color: COLORS.interval },
          transform: [{ filter: { field: "low", valid: true } }],
          encoding: { y: y, x: { field: "low", type: "quantitative", title: null }, x2: { field: "high" } } },
        { data: { values: stratum.competing || [] }, mark: { type: "point", filled: true, size: 40, color: "#9aa5b1", opacity: 0.8 },
          encoding: { y: y, x: { field: "estimate", type: "quantitative" },
            tooltip: [{ field: "name", title: " " }, { field: "rank", title: "#" }, { field: "estimate", title: "N", format: ",.0f" }] } },
        { data: { values: stratum.methods }, mark: { type: "point", filled: true, size: 90, color: COLORS.estimate, opacity: 1 },
          encoding: { y: y, x: { field: "estimate", type: "quantitative" },
            tooltip: [{ field: "name", title: " " }, { field: "estimate", title: "N", format: ",.0f" },
                      { field: "low", title: "low", format: ",.0f" }, { field: "high", title: "high", format: ",.0f" }] } },
        { data: { values: [{ observed: stratum.observed, label: documented + " " + stratum.observed }] },
          mark: { type: "rule", strokeDash: [4, 3], color: COLORS.documented },
          encoding: { x: { field: "observed", type: "quantitative" } } },
        { data: { values: [{ observed: stratum.observed, label: documented + " " + stratum.observed }] },
          mark: { type: "text", align: "left", dx: 4, dy: -4, baseline: "top", color: COLORS.documented, fontSize: 11 },
          encoding: { x: { field: "observed", type: "quantitative" }, y: { value: 0 }, text: { field: "label" } } }
      ]
    });
  }

  function draw() {
    var block = document.getElementById("estimate-data");
    if (!block || typeof vegaEmbed === "undefined") { return; }
    var data = JSON.parse(block.textContent);
    var strata = document.querySelector(".estimate-chart[data-chart=strata]");
    if (strata && data.strata.length) { strataChart(strata, data); }
    document.querySelectorAll(".estimate-chart[data-chart=methods]").forEach(function (node) {
      methodsChart(node, data.strata[Number(node.getAttribute("data-index"))], data.documented);
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
