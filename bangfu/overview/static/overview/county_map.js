// Choropleth of Guizhou's county-level units (overview map). Geometry from the committed
// GeoJSON; figures from the page (json_script), already scoped to the user.
(function () {
  "use strict";
  var el = document.getElementById("county-map");
  var source = document.getElementById("county-map-data");
  if (!el || !source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var byCode = {};
  data.cells.forEach(function (c) { byCode[c.code] = c; });
  var COVERAGE_COLOURS = ["#dee2e6", "#dc3545", "#fd7e14", "#ffc107", "#198754"];

  fetch(el.dataset.geoUrl).then(function (r) { return r.json(); }).then(function (geo) {
    // The province sees Guizhou; everyone else their prefecture(s), their own counties coloured.
    var shown = geo.features.filter(function (f) {
      return data.prefectures.indexOf(f.properties.prefecture_adcode) >= 0;
    });
    var everything = data.prefectures.length >= 9;
    echarts.registerMap("bangfu-counties", {
      type: "FeatureCollection", features: everything ? geo.features : shown
    });
    // A share has a fixed scale (0–100 %); a count runs to its largest value. No figure: null.
    var values = data.cells.map(function (c) { return c.value || 0; });
    var max = data.value_max || Math.max.apply(null, values.concat([1]));
    var unit = data.value_max ? "%" : "";
    var visualMap = data.metric === "coverage"
      ? {
          type: "piecewise", orient: "horizontal", left: "center", bottom: 0,
          pieces: data.legend.map(function (p) {
            return { value: p.value, label: p.label, color: COVERAGE_COLOURS[p.value] };
          })
        }
      : {
          type: "continuous", min: 0, max: max, calculable: false, orient: "horizontal",
          left: "center", bottom: 0, text: [String(max) + unit, "0" + unit],
          inRange: { color: ["#e7f1ff", "#0d6efd", "#052c65"] }
        };
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var cell = byCode[p.name];
          var name = (p.data && p.data.countyName) || p.name;
          return cell ? name + "<br>" + data.metric_label + "：" + cell.label : name + "<br>无数据";
        }
      },
      visualMap: visualMap,
      series: [{
        type: "map", map: "bangfu-counties", nameProperty: "adcode", roam: false,
        label: { show: el.clientWidth >= 700 && !everything, fontSize: 10 },
        emphasis: { label: { show: true } },
        itemStyle: { areaColor: "#f1f3f5", borderColor: "#868e96", borderWidth: 0.5 },
        data: data.cells.map(function (c) {
          return { name: c.code, value: c.value, countyName: c.name };
        })
      }]
    });
    chart.on("click", function (p) {
      var cell = byCode[p.name];
      if (cell) window.location.href = cell.url;
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.setAttribute("data-rendered", "1");
  });
})();
