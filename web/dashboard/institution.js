'use strict';
/* One institution's months (GET /stats/series?institution=…, public view) and its IKM. */
const code = decodeURIComponent(location.pathname.split('/').pop());

function shown(value, suffix) {
  if (value === null || value === undefined) return konsol.t('withheld');
  return value.toLocaleString(konsol.language() === 'id' ? 'id-ID' : 'en-GB') + (suffix || '');
}

konsol.start(async () => {
  const params = new URLSearchParams({institution: code, period: 'month'});
  const [institutions, series, ikm] = await Promise.all([konsol.api('GET', '/institutions', {anonymous: true}),
    konsol.api('GET', '/stats/series?' + params.toString(), {anonymous: true}),
    konsol.api('GET', '/stats/ikm?institution=' + encodeURIComponent(code), {anonymous: true})]);
  const found = ((institutions.data || {}).items || []).find((i) => i.code === code);
  const error = document.getElementById('load-error');
  if (!found || series.status !== 200 || ikm.status !== 200) {
    error.hidden = false;
    error.textContent = found ? konsol.problemText(series.status !== 200 ? series : ikm) : konsol.t('institution.unknown');
    return;
  }
  document.getElementById('name').textContent = found.name;
  const index = ikm.data;
  document.getElementById('ikm-line').textContent = index.withheld ? konsol.t('ikm.withheld')
    : konsol.t('ikm.line', {ikm: shown(index.ikm), grade: index.grade || '—', n: shown(index.respondents)});
  const months = series.data.groups;
  document.getElementById('trend').replaceChildren(...months.map((g) => {
    const tr = konsol.element('tr');
    const median = g.seconds_to_completion.median;
    tr.append(konsol.element('td', {}, g.key), konsol.element('td', {}, shown(g.received)),
      konsol.element('td', {}, shown(g.completed)), konsol.element('td', {}, shown(g.completion_rate, ' %')),
      konsol.element('td', {}, median === null ? konsol.t('withheld') : shown(Math.round(median / 8640) / 10, ' ' + konsol.t('time.day_unit'))));
    return tr;
  }));
  document.getElementById('trend-chart').replaceChildren(charts.bars(konsol.t('trend.chart'),
    months.map((g) => ({label: g.key, value: g.received})), 0, (v) => shown(v)));
}, false);
