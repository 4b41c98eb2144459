/* Bar charts of the statistics dashboards (ECharts from this site's static files). Each chart
   reads the json_script next to it; the table under it holds the same figures. */
(function () {
  "use strict";
  if (!window.echarts) return;
  document.querySelectorAll(".chart[data-kind='bar']").forEach(function (el) {
    var data = el.nextElementSibling;
    if (!data || data.tagName !== "SCRIPT") return;
    var d = JSON.parse(data.textContent);
    var series = [{ name: d.title, type: "bar", data: d.values, barMaxWidth: 28,
      label: { show: d.values.length <= 12, position: "top" } }];
    if (d.target !== null) {
      series[0].markLine = { symbol: "none", lineStyle: { type: "dashed", color: "#c0392b" },
        label: { formatter: "目标 " + d.target + d.unit }, data: [{ yAxis: d.target }] };
    }
    var chart = window.echarts.init(el);
    chart.setOption({
      grid: { left: 56, right: 16, top: 28, bottom: 64 },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + (d.unit === "%" ? "%" : ""); } },
      xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: d.labels.length > 6 ? 35 : 0 } },
      yAxis: { type: "value", axisLabel: { formatter: d.unit === "%" ? "{value}%" : "{value}" },
        // the target line stays in view even when every figure is far below it
        max: d.target === null ? null : function (v) { return Math.max(v.max, d.target); } },
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
