/**
 * Draws every `.chart` of a page with uPlot (loaded before it): each holds its data as JSON in a
 * `script[type="application/json"]` (`{ x, series: [{ label, values }] }`, x in seconds since the epoch) and its
 * unit in `data-unit`. Once drawn, a chart carries `data-drawn` and its number of points in `data-points`.
 */
export const CHARTS_JS = `
const COLOURS = ['#2e5aac', '#b54708', '#067647', '#b42318', '#6941c6', '#0e7090', '#c11574', '#475467'];
for (const chart of document.querySelectorAll('.chart')) {
  const data = JSON.parse(chart.querySelector('script[type="application/json"]').textContent);
  const unit = chart.dataset.unit;
  const width = Math.max(320, chart.clientWidth - 8);
  const options = {
    width, height: 220,
    cursor: { points: { size: 6 } },
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
    axes: [{}, { label: unit, size: 60 }],
    series: [{}].concat(data.series.map((s, i) => ({
      label: s.label, stroke: COLOURS[i % COLOURS.length], width: 2,
      points: { show: true, size: 5 }, spanGaps: false,
      value: (u, v) => v == null ? '-' : (Math.round(v * 100) / 100) + ' ' + unit,
    }))),
  };
  const plot = new uPlot(options, [data.x].concat(data.series.map((s) => s.values)), chart.querySelector('.plot'));
  chart.dataset.drawn = 'true';
  chart.dataset.points = String(data.series.reduce((n, s) => n + s.values.filter((v) => v != null).length, 0));
  window.addEventListener('resize', () => plot.setSize({ width: Math.max(320, chart.clientWidth - 8), height: 220 }));
}
`;
