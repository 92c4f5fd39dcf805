/* The statistics dashboard's charts: ECharts (vendored under static/vendor/echarts/) draws the
   rows the page passes in a json_script block; each chart's table beside it has the same
   figures, so without this script nothing is lost. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-charts");
  if (!source || !window.echarts) { return; }
  var charts = JSON.parse(source.textContent);
  var palette = ["#1f5fa8", "#c8641e", "#2e7d32", "#7b1fa2"];
  // A chart inside a closed <details> has no width yet: draw it when its section opens.
  function draw(node) {
    if (node.getAttribute("data-drawn")) { return; }
    node.setAttribute("data-drawn", "1");
    var spec = charts[node.getAttribute("data-chart")];
    if (!spec || !spec.labels.length) { return; }
    var line = node.getAttribute("data-chart") === "applications";
    var chart = window.echarts.init(node, null, { renderer: "svg" });
    chart.setOption({
      color: palette,
      animation: false,
      aria: { enabled: true },
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 36, bottom: 64 },
      xAxis: { type: "category", data: spec.labels, axisLabel: { rotate: spec.labels.length > 6 ? 40 : 0, width: 90, overflow: "truncate" } },
      yAxis: spec.percent
        ? { type: "value", min: 0, max: 1, axisLabel: { formatter: function (v) { return Math.round(v * 100) + "%"; } } }
        : { type: "value", minInterval: 1 },
      series: spec.series.map(function (s) {
        return { name: s.name, type: line ? "line" : "bar", data: s.data };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.querySelectorAll("[data-chart]").forEach(function (node) {
    var section = node.closest("details");
    if (!section || section.open) { draw(node); return; }
    section.addEventListener("toggle", function () { if (section.open) { draw(node); } });
  });
})();
