/* The workbench's charts (ECharts, served from this site's static files; no inline script).
   Data: the json_script "figures-data" written by site/_figures.html. */
(function () {
  "use strict";
  var data = document.getElementById("figures-data");
  if (!data || !window.echarts) return;
  var d = JSON.parse(data.textContent), charts = [];
  var font = { fontFamily: "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif" };
  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var chart = window.echarts.init(el);
    option.textStyle = font;
    chart.setOption(option);
    charts.push(chart);
  }
  var p = d.pyramid;
  draw("chart-pyramid", {
    grid: { left: 64, right: 24, top: 28, bottom: 28 },
    legend: { data: ["男", "女"], top: 0 },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
      valueFormatter: function (v) { return Math.abs(v) + " 人"; } },
    xAxis: { type: "value", axisLabel: { formatter: function (v) { return Math.abs(v); } } },
    yAxis: { type: "category", data: p.bands.map(function (b) { return b + "岁"; }), axisTick: { show: false } },
    series: [
      { name: "男", type: "bar", stack: "all", data: p.male.map(function (v) { return -v; }), itemStyle: { color: "#3b6ea8" } },
      { name: "女", type: "bar", stack: "all", data: p.female, itemStyle: { color: "#c0614a" } }
    ]
  });
  var c = d.categories;
  draw("chart-categories", {
    grid: { left: 110, right: 40, top: 8, bottom: 24 },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return v + " 人"; } },
    xAxis: { type: "value" },
    yAxis: { type: "category", data: c.labels.slice().reverse(), axisTick: { show: false } },
    series: [{ type: "bar", data: c.values.slice().reverse(), itemStyle: { color: "#b4462f" },
      label: { show: true, position: "right" } }]
  });
  var t = d.trend;
  if (t.months.length) {
    draw("chart-trend", {
      grid: { left: 48, right: 16, top: 24, bottom: 32 },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
      xAxis: { type: "category", data: t.months },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: [
        { name: "月探访率", type: "line", data: t.rates, connectNulls: false },
        { name: "目标", type: "line", data: t.months.map(function () { return 100; }), lineStyle: { type: "dashed" }, symbol: "none" }
      ]
    });
  }
  window.addEventListener("resize", function () { charts.forEach(function (ch) { ch.resize(); }); });
})();
