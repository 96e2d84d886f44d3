/* The load chart of a power alert (ECharts, vendored): daily energy as bars and night energy as a
 * line over the chart window, the baseline as a dashed line, the alert period shaded red and the
 * enterprise's status periods other than normal production (停产整顿/在建/关闭) shaded grey.
 * The data is queries.load_chart(alert), written into the page by json_script; the container
 * names it with data-source. No data is fetched. */
(function () {
  "use strict";

  var PERIOD_COLOURS = {
    suspended: "rgba(108, 117, 125, 0.18)",
    under_construction: "rgba(13, 110, 253, 0.10)",
    closed: "rgba(33, 37, 41, 0.18)",
  };

  // A [start, end] range of ISO days clamped to the chart's days; null when they do not meet.
  function clamp(start, end, first, last) {
    if (end < first || start > last) return null;
    return [start < first ? first : start, end > last ? last : end];
  }

  function options(data) {
    var days = data.days.map(function (d) { return d.day; });
    var first = days[0], last = days[days.length - 1];
    var areas = [];
    data.periods.forEach(function (p) {
      if (p.status === "normal") return;
      var range = clamp(p.start, p.end, first, last);
      if (!range) return;
      areas.push([
        { name: p.label, xAxis: range[0], itemStyle: { color: PERIOD_COLOURS[p.status] || "rgba(108, 117, 125, 0.18)" },
          label: { position: "insideTop", color: "#495057" } },
        { xAxis: range[1] },
      ]);
    });
    var alertRange = clamp(data.alert.start, data.alert.end, first, last);
    if (alertRange) {
      areas.push([
        { name: "异常期间", xAxis: alertRange[0], itemStyle: { color: "rgba(220, 53, 69, 0.16)" },
          label: { position: "top", color: "#b02a37", fontWeight: "bold" } },
        { xAxis: alertRange[1] },
      ]);
    }
    var baseline = data.baseline === null || data.baseline === undefined ? [] : [{
      yAxis: data.baseline,
      name: "对比基准",
      label: { formatter: "对比基准 {c} kWh", position: "insideEndTop" },
      lineStyle: { type: "dashed", color: "#198754", width: 2 },
    }];
    return {
      animation: false,
      grid: { left: 64, right: 24, top: 64, bottom: 72 },
      legend: { top: 4, data: ["日用电量", "夜间用电量"] },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "无数据" : v + " kWh"; } },
      xAxis: { type: "category", data: days, axisLabel: { hideOverlap: true } },
      // A mark line does not stretch the axis: keep the baseline in view.
      yAxis: {
        type: "value",
        name: "kWh",
        nameGap: 12,
        max: function (range) {
          return baseline.length ? Math.max(range.max, data.baseline * 1.1) : range.max;
        },
      },
      dataZoom: [{ type: "inside" }, { type: "slider", height: 20, bottom: 16 }],
      series: [
        {
          name: "日用电量",
          type: "bar",
          data: data.days.map(function (d) { return d.energy; }),
          itemStyle: { color: "#6ea8fe" },
          barCategoryGap: "20%",
          markArea: { silent: true, data: areas },
          markLine: { silent: true, symbol: "none", data: baseline },
        },
        {
          name: "夜间用电量",
          type: "line",
          data: data.days.map(function (d) { return d.night_energy; }),
          symbol: "none",
          connectNulls: false,
          lineStyle: { color: "#fd7e14", width: 2 },
          itemStyle: { color: "#fd7e14" },
        },
      ],
    };
  }

  function draw(el) {
    var source = document.getElementById(el.dataset.source);
    if (!source || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    if (!data.days || !data.days.length) return;
    var chart = echarts.init(el, null, { renderer: "canvas", locale: "ZH" });
    chart.setOption(options(data));
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.querySelectorAll("[data-source][id='load-chart']").forEach(draw);
})();
