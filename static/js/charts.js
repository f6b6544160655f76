// Draws the dashboards' charts from the JSON beside each canvas. The table next to
// every chart holds the same numbers, so nothing is lost without this script.
(function () {
  "use strict";

  var COLOURS = ["#1d6fa5", "#d9822b", "#3c9a5f", "#8e5ea2", "#c0392b", "#7f8c8d"];

  function draw(canvas) {
    if (canvas.dataset.drawn || typeof Chart === "undefined") {
      return;
    }
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    spec.data.datasets.forEach(function (dataset, index) {
      var colour = COLOURS[index % COLOURS.length];
      dataset.backgroundColor = colour;
      dataset.borderColor = colour;
      dataset.data = dataset.data.map(function (value) {
        return value === "" || value === null ? null : Number(value);
      });
    });
    new Chart(canvas, {
      type: spec.type,
      data: spec.data,
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: {
          x: { stacked: spec.stacked },
          y: { stacked: spec.stacked, beginAtZero: true },
        },
      },
    });
    canvas.dataset.drawn = "yes";
  }

  function drawAll(root) {
    root.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawAll(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    drawAll(event.target);
  });
})();
