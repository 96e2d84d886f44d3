/* The dashboard's charts (ECharts, vendored; nothing is loaded from the network):
 * - the monthly trends, from the json_script block "dashboard-trend";
 * - the map: Sichuan's cities from the vendored GeoJSON (feature ids are the first four digits of a
 *   city's code), coloured by the indicator chosen in #map-indicator with the values of
 *   supervision:map_data; a click on a city opens its dashboard. For a city or county the province's
 *   outline with the city highlighted, and the counties as bars (a click opens the county).
 * The chosen indicator is kept in the address (history.replaceState), so a reload keeps it. */
(function () {
  "use strict";

  document.querySelectorAll("[data-autosubmit]").forEach(function (input) {
    input.addEventListener("change", function () { input.form.submit(); });
  });
  if (!window.echarts) return;

  var charts = [];
  var WORSE = ["#fff5f0", "#fcbba1", "#fb6a4a", "#cb181d"];
  var BETTER = WORSE.slice().reverse();
  var NEUTRAL = ["#f1f6fd", "#b6d0f2", "#5b8fd6", "#1c4f9c"];  // counts that are not judged

  function palette(indicator) {
    if (indicator.judged === false) return NEUTRAL;
    return indicator.higher_is_worse ? WORSE : BETTER;
  }

  function chart(el) {
    var instance = echarts.init(el);
    charts.push(instance);
    return instance;
  }

  function json(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (!r.ok) throw new Error(body.detail || "加载失败（" + r.status + "）");
        return body;
      });
    });
  }

  function notice(el, text) {
    var box = document.createElement("div");
    box.className = "alert alert-warning m-2";
    box.textContent = text;
    el.replaceChildren(box);
  }

  // -- the trends ---------------------------------------------------------------------------------

  function trendOptions(months, first, second) {
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: [first.name, second.name] },
      grid: { left: 44, right: 44, top: 36, bottom: 24 },
      xAxis: { type: "category", data: months },
      yAxis: [
        { type: "value", name: first.unit, minInterval: 1 },
        { type: "value", name: second.unit, minInterval: 1, splitLine: { show: false } },
      ],
      series: [
        { name: first.name, type: "bar", data: first.data, itemStyle: { color: first.color } },
        { name: second.name, type: "line", yAxisIndex: 1, data: second.data, itemStyle: { color: second.color } },
      ],
    };
  }

  var trendData = document.getElementById("dashboard-trend");
  if (trendData) {
    var trend = JSON.parse(trendData.textContent);
    chart(document.getElementById("trend-hazards")).setOption(trendOptions(trend.months,
      { name: "排查隐患", unit: "项", data: trend.hazards_found, color: "#6ea8fe" },
      { name: "立案", unit: "起", data: trend.cases, color: "#fd7e14" }));
    chart(document.getElementById("trend-accidents")).setOption(trendOptions(trend.months,
      { name: "事故起数", unit: "起", data: trend.accidents, color: "#adb5bd" },
      { name: "死亡人数", unit: "人", data: trend.deaths, color: "#dc3545" }));
  }

  // -- the map ------------------------------------------------------------------------------------

  var mapEl = document.getElementById("dashboard-map");
  var select = document.getElementById("map-indicator");
  if (!mapEl || !select) return finish();
  var barsEl = document.getElementById("subregion-bars");
  var note = document.getElementById("map-note");
  var map = chart(mapEl);
  var bars = null;
  var cityName = {};
  map.showLoading({ text: "地图加载中…" });

  function source(indicator) {
    var url = new URL(mapEl.dataset.source, window.location.href);
    url.searchParams.set("indicator", indicator);
    return url;
  }

  function formatter(indicator) {
    return function (value) {
      if (value === null || value === undefined || isNaN(value)) return "";
      return indicator.percent ? (value * 100).toFixed(1) + "%" : String(Math.round(value * 100) / 100);
    };
  }

  // Hazards are counted as the ledger stands, the rest over the dashboard's year.
  function describe(data) {
    var when = data.indicator.section === "隐患" ? "当前台账" : data.period.label;
    return data.indicator.label + "（" + when + "）";
  }

  function colourMap(data) {
    var values = data.rows.map(function (r) { return r.value; });
    var low = values.length ? Math.min.apply(null, values) : 0;
    var high = values.length ? Math.max.apply(null, values) : 1;
    map.setOption({
      animation: false,
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          return p.data ? p.name + "<br>" + data.indicator.label + "：" + p.data.display : p.name + "：无数据";
        },
      },
      visualMap: {
        type: "continuous", min: low, max: high > low ? high : low + 1, left: 8, bottom: 8,
        text: ["高", "低"], calculable: false, formatter: formatter(data.indicator),
        inRange: { color: palette(data.indicator) },
      },
      series: [{
        id: "cities", type: "map", map: "sichuan", roam: false, selectedMode: false,
        label: { show: true, fontSize: 10, color: "#343a40" },
        itemStyle: { borderColor: "#868e96" },
        emphasis: { label: { show: true }, itemStyle: { areaColor: "#ffe69c" } },
        data: data.rows.map(function (r) {
          return { name: cityName[r.code.slice(0, 4)] || r.name, value: r.value, display: r.display, url: r.url,
                   code: r.code };
        }),
      }],
    }, true);
    var shade = data.indicator.judged === false ? "多" : (data.indicator.higher_is_worse ? "差" : "好");
    note.textContent = describe(data) + "；颜色越深越" + shade + "。点击市（州）进入其驾驶舱。";
  }

  function outline(data) {
    var name = cityName[data.highlight];
    map.setOption({
      animation: false,
      tooltip: { show: false },
      series: [{
        id: "outline", type: "map", map: "sichuan", roam: false, selectedMode: false, silent: true,
        label: { show: false },
        itemStyle: { areaColor: "#f1f3f5", borderColor: "#adb5bd" },
        data: name ? [{ name: name, value: 1, itemStyle: { areaColor: "#0d6efd" },
                        label: { show: true, color: "#fff", fontWeight: "bold" } }] : [],
      }],
    }, true);
  }

  function drawBars(data) {
    if (!barsEl) return;
    if (!data.rows.length) {
      if (bars) { bars.dispose(); charts.splice(charts.indexOf(bars), 1); bars = null; }
      notice(barsEl, "本区划没有下级区划，不作对比。");
      note.textContent = describe(data) + "。";
      return;
    }
    barsEl.style.height = Math.max(240, data.rows.length * 26 + 60) + "px";
    if (!bars) { bars = chart(barsEl); bars.on("click", open); } else { bars.resize(); }
    var format = formatter(data.indicator);
    bars.setOption({
      animation: false,
      grid: { left: 110, right: 56, top: 28, bottom: 24 },
      title: { text: data.indicator.label, left: "center", textStyle: { fontSize: 13 } },
      tooltip: { trigger: "item", formatter: function (p) { return p.name + "：" + p.data.display; } },
      xAxis: { type: "value", axisLabel: { formatter: format }, minInterval: data.indicator.percent ? 0 : 1 },
      yAxis: { type: "category", inverse: true, data: data.rows.map(function (r) { return r.name; }) },
      series: [{
        id: "subregions", type: "bar", barMaxWidth: 18,
        label: { show: true, position: "right", formatter: function (p) { return p.data.display; } },
        data: data.rows.map(function (r) {
          return { value: r.value, display: r.display, url: r.url, code: r.code,
                   itemStyle: { color: r.worst ? "#dc3545" : "#6ea8fe" } };
        }),
      }],
    }, true);
    note.textContent = describe(data) + "；红色为该项最差。点击柱条进入该县（市、区）的驾驶舱。";
  }

  function draw(data) {
    if (data.mode === "map") colourMap(data);
    else { outline(data); drawBars(data); }
    // What the map shows now, for whoever reads the page (and the browser tests).
    mapEl.dataset.indicator = data.indicator.key;
  }

  function open(p) {
    if (p.data && p.data.url) window.location.assign(p.data.url);
  }
  map.on("click", open);

  function remember(indicator) {
    var url = new URL(window.location.href);
    url.searchParams.set("indicator", indicator);
    window.history.replaceState(null, "", url);
  }

  Promise.all([json(mapEl.dataset.geo), json(source(select.value))]).then(function (loaded) {
    echarts.registerMap("sichuan", loaded[0]);
    loaded[0].features.forEach(function (f) { cityName[f.id] = f.properties.name; });
    map.hideLoading();
    draw(loaded[1]);
  }).catch(function (error) {
    map.hideLoading();
    notice(mapEl, "地图数据加载失败：" + error.message + "。请刷新页面重试；各地数据可在“晾晒排名”中查看。");
  });

  select.addEventListener("change", function () {
    var indicator = select.value;
    remember(indicator);
    json(source(indicator)).then(draw).catch(function (error) {
      notice(note, "数据加载失败：" + error.message);
    });
  });

  finish();

  function finish() {
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }
})();
