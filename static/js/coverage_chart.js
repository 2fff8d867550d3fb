// Stacked bar chart of covered / uncovered target counties per prefecture (home page, §一).
(function () {
  "use strict";
  var el = document.getElementById("coverage-chart");
  var source = document.getElementById("coverage-data");
  if (!el || !source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(el, null, { renderer: "svg" });
  // On a phone the nine prefecture names do not fit side by side: turn them and shorten them.
  function labelsFor(width) {
    var narrow = width < 600;
    return {
      interval: 0,
      rotate: narrow ? 45 : 0,
      width: narrow ? 64 : 84,
      overflow: narrow ? "truncate" : "break",
      fontSize: narrow ? 10 : 12
    };
  }
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { data: ["已覆盖", "未覆盖"], top: 0, right: 0 },
    grid: { left: 40, right: 16, top: 40, bottom: el.clientWidth < 600 ? 80 : 56 },
    xAxis: { type: "category", data: data.names, axisLabel: labelsFor(el.clientWidth) },
    yAxis: { type: "value", minInterval: 1, name: "目标县" },
    series: [
      { name: "已覆盖", type: "bar", stack: "total", data: data.covered, itemStyle: { color: "#198754" } },
      { name: "未覆盖", type: "bar", stack: "total", data: data.uncovered, itemStyle: { color: "#dc3545" } }
    ]
  });
  // A bar opens the county list of that prefecture, covered or uncovered (as the links below).
  if (data.codes && data.list_url) {
    chart.on("click", function (params) {
      var coverage = params.seriesName === "未覆盖" ? "uncovered" : "covered";
      window.location.href = data.list_url + "?prefecture=" + encodeURIComponent(data.codes[params.dataIndex]) +
        "&programme_group=target&coverage=" + coverage;
    });
  }
  el.setAttribute("data-rendered", "1");
  window.addEventListener("resize", function () {
    chart.setOption({
      grid: { bottom: el.clientWidth < 600 ? 80 : 56 },
      xAxis: { axisLabel: labelsFor(el.clientWidth) }
    });
    chart.resize();
  });
})();
