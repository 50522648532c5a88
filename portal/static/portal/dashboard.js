// The KPI dashboard's trend chart (Chart.js 4.6.1, vendored in portal/static/portal/vendor/).
(function () {
  "use strict";
  var canvas = document.getElementById("kpi-trend-chart");
  var source = document.getElementById("kpi-chart-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var colours = ["#1f5fa8", "#1a7a3d", "#b36b00"];
  var datasets = data.series.map(function (series, i) {
    return { type: "line", label: series.label, data: data.values[series.key], borderColor: colours[i],
             backgroundColor: colours[i], yAxisID: "rate", spanGaps: true, cubicInterpolationMode: "monotone" };
  });
  if (data.online_target !== null) {
    datasets.push({ type: "line", label: data.target_label, yAxisID: "rate", borderColor: "#b3261e", borderDash: [6, 4],
                    pointRadius: 0, data: data.labels.map(function () { return data.online_target; }) });
  }
  datasets.push({ type: "bar", label: data.received_label, data: data.received, yAxisID: "count",
                  backgroundColor: "rgba(120, 120, 120, 0.25)" });
  new Chart(canvas, {
    data: { labels: data.labels, datasets: datasets },
    options: {
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        rate: { position: "left", min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } },
        count: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false } }
      }
    }
  });
})();
