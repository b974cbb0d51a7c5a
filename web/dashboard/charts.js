'use strict';
/* A horizontal bar chart as inline SVG, drawn here so that no chart library is fetched or vendored:
 * one bar per row, its value written beside it; the figures are also in the table next to it, so
 * the chart is an image with a summary for assistive technology. A null value draws no bar. */
const charts = (() => {
  const NS = 'http://www.w3.org/2000/svg';

  function svg(tag, attributes, text) {
    const el = document.createElementNS(NS, tag);
    for (const [name, value] of Object.entries(attributes || {})) el.setAttribute(name, String(value));
    if (text !== undefined) el.textContent = text;
    return el;
  }

  /* rows: [{label, value}]; max: the scale's end (100 for percentages); format(value) the words. */
  function bars(title, rows, max, format) {
    const rowHeight = 26, labelWidth = 190, barWidth = 320, width = labelWidth + barWidth + 90;
    const chart = svg('svg', {viewBox: `0 0 ${width} ${rows.length * rowHeight + 8}`, role: 'img',
      'aria-label': title, class: 'chart'});
    chart.append(svg('title', {}, title));
    const top = Math.max(max || 0, ...rows.map((r) => r.value || 0)) || 1;
    rows.forEach((row, i) => {
      const y = i * rowHeight + 4;
      chart.append(svg('text', {x: labelWidth - 8, y: y + 16, 'text-anchor': 'end', class: 'chart-label'},
        row.label.length > 26 ? row.label.slice(0, 25) + '…' : row.label));
      const length = row.value === null ? 0 : Math.round((row.value / top) * barWidth);
      chart.append(svg('rect', {x: labelWidth, y, width: length, height: rowHeight - 8, class: 'chart-bar'}));
      chart.append(svg('text', {x: labelWidth + length + 6, y: y + 16, class: 'chart-value'}, format(row.value)));
    });
    return chart;
  }

  return {bars};
})();
