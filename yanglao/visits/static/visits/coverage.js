/* Trend chart of 月探访率 (ECharts, served from this site's static files). */
(function () {
  "use strict";
  var el = document.getElementById("trend"), data = document.getElementById("trend-data");
  if (!el || !data || !window.echarts) return;
  var d = JSON.parse(data.textContent);
  var chart = window.echarts.init(el);
  chart.setOption({
    grid: { left: 48, right: 16, top: 24, bottom: 32 },
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
    xAxis: { type: "category", data: d.months },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    series: [
      { name: "月探访率", type: "line", data: d.rates, connectNulls: false, label: { show: true, formatter: "{c}%" } },
      { name: "目标", type: "line", data: d.months.map(function () { return 100; }), lineStyle: { type: "dashed" }, symbol: "none" }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
