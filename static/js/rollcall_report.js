/* Roll-call report charts (vendored ECharts): answer and on-time rates by month with the
 * median answer time, and the answer rate by department. Data from #report-chart. */
(function () {
  "use strict";
  var source = document.getElementById("report-chart");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var months = echarts.init(document.getElementById("chart-months"));
  months.setOption({
    title: { text: data.labels.month_title, left: "center", top: 24, textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 40, right: 40, top: 56, bottom: 30 },
    xAxis: { type: "category", data: data.months },
    yAxis: [
      { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      { type: "value", min: 0, axisLabel: { formatter: "{value}" } },
    ],
    series: [
      { name: data.labels.answer_rate, type: "bar", data: data.answer_rate, itemStyle: { color: "#198754" } },
      { name: data.labels.on_time_rate, type: "bar", data: data.on_time_rate, itemStyle: { color: "#0d6efd" } },
      { name: data.labels.median, type: "line", yAxisIndex: 1, data: data.median_minutes, itemStyle: { color: "#dc3545" } },
    ],
  });
  var departments = echarts.init(document.getElementById("chart-departments"));
  departments.setOption({
    title: { text: data.labels.department_title, left: "center", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" },
    grid: { left: 10, right: 30, top: 36, bottom: 20, containLabel: true },
    xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    yAxis: {
      type: "category",
      data: data.departments,
      axisLabel: { width: 180, overflow: "truncate" },
    },
    series: [{ name: data.labels.answer_rate, type: "bar", data: data.department_rate, itemStyle: { color: "#198754" } }],
  });
  window.addEventListener("resize", function () { months.resize(); departments.resize(); });
})();
