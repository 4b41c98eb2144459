/* 服务圈: villages and facilities as points on a plain lon/lat canvas (no base map: no
   boundary geometry ships with the platform). ECharts from this site's static files. */
(function () {
  "use strict";
  var el = document.getElementById("circle-map"), data = document.getElementById("circle-data");
  if (!el || !data || !window.echarts) return;
  var d = JSON.parse(data.textContent);
  var chart = window.echarts.init(el);
  function pts(rows, pick) { return rows.map(function (r) { return { name: r.name, value: [r.lon, r.lat, pick(r)] }; }); }
  var lat = d.center_lat || 43.8;
  chart.setOption({
    grid: { left: 56, right: 16, top: 36, bottom: 40 },
    legend: { top: 0 },
    tooltip: { formatter: function (p) { return p.seriesName + "：" + p.name + (p.value[2] !== "" ? "（" + p.value[2] + "）" : ""); } },
    xAxis: { type: "value", scale: true, name: "经度", axisLabel: { formatter: function (v) { return v.toFixed(3); } } },
    yAxis: { type: "value", scale: true, name: "纬度", axisLabel: { formatter: function (v) { return v.toFixed(3); } } },
    series: [
      { name: "已覆盖的村（社区）", type: "scatter", symbolSize: 9, itemStyle: { color: "#2f7d32" }, data: pts(d.covered, function (r) { return "老年人" + r.older + "人"; }) },
      { name: "未覆盖的村（社区）", type: "scatter", symbolSize: 11, itemStyle: { color: "#b3261e" }, data: pts(d.uncovered, function (r) { return "老年人" + r.older + "人"; }) },
      { name: "服务设施", type: "scatter", symbol: "diamond", symbolSize: 13, itemStyle: { color: "#1d5fa8" }, data: pts(d.facilities, function (r) { return r.kind; }) }
    ]
  });
  // Keep the map's proportions: one degree of longitude is cos(latitude) of one of latitude.
  el.dataset.aspect = Math.cos(lat * Math.PI / 180).toFixed(3);
  window.addEventListener("resize", function () { chart.resize(); });
})();
