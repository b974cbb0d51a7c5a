'use strict';
/* The public dashboard: the stats API's public view (never the session's, so that the minimums
 * always apply), as figures, a table per group with its chart, rankings, and the IKM. The download
 * links are the export API with the same parameters, so a file equals what the API exports. */
const BUCKETS = ['not_yet_verified', 'not_yet_followed_up', 'in_process', 'completed'];
const LEVELS = ['province', 'regency', 'city', 'unit', 'ministry', 'national'];
const GROUPS = ['institution', 'region', 'category', 'channel', 'period'];

const stat = (path, params) => konsol.api('GET', '/stats/' + path + '?' + params.toString(), {anonymous: true});

function figure(value, suffix) {
  if (value === null || value === undefined) return konsol.t('withheld');
  return value.toLocaleString(konsol.language() === 'id' ? 'id-ID' : 'en-GB') + (suffix || '');
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return konsol.t('withheld');
  if (seconds >= 86400) return konsol.t('time.days', {n: figure(Math.round(seconds / 8640) / 10)});
  if (seconds >= 3600) return konsol.t('time.hours', {n: figure(Math.round(seconds / 360) / 10)});
  return konsol.t('time.minutes', {n: figure(Math.ceil(seconds / 60))});
}

function cells(tr, values) {
  for (const v of values) tr.append(v instanceof Node ? (() => { const td = konsol.element('td'); td.append(v); return td; })()
                                                      : konsol.element('td', {}, v));
  return tr;
}

function institutionLink(code, name) {
  return konsol.element('a', {href: '/dasbor/instansi/' + encodeURIComponent(code)}, name || code);
}

function selection(form) {
  const params = new URLSearchParams();
  for (const name of ['from', 'to']) if (form[name].value) params.set(name, form[name].value);
  return params;
}

function renderSummary(group) {
  const list = document.getElementById('summary');
  list.replaceChildren();
  const g = group || {};
  const items = [...BUCKETS.map((b) => [konsol.t('bucket.' + b), figure(g[b])]),
    [konsol.t('figure.received'), figure(g.received)],
    [konsol.t('figure.completion'), figure(g.completion_rate, ' %')],
    [konsol.t('figure.verification_time'), konsol.t('figure.median_p90', {median: duration((g.seconds_to_verification || {}).median),
      p90: duration((g.seconds_to_verification || {}).p90)})],
    [konsol.t('figure.completion_time'), konsol.t('figure.median_p90', {median: duration((g.seconds_to_completion || {}).median),
      p90: duration((g.seconds_to_completion || {}).p90)})],
    [konsol.t('figure.verification_compliance'), figure(g.verification_compliance, ' %')],
    [konsol.t('figure.follow_up_compliance'), figure(g.follow_up_compliance, ' %')]];
  for (const [label, value] of items) {
    const box = konsol.element('div', {class: 'figure'});
    box.append(konsol.element('dt', {}, label), konsol.element('dd', {}, value));
    list.append(box);
  }
}

function renderRankings(doc, names) {
  document.getElementById('rank-rule').textContent = konsol.t('rank.rule', {n: doc.min_reports});
  document.getElementById('rankings').replaceChildren(...doc.items.map((i) => cells(konsol.element('tr'),
    [String(i.rank), institutionLink(i.key, i.name || names.get(i.key)), figure(i.received), figure(i.completed),
     figure(i.completion_rate, ' %')])));
  document.getElementById('not-ranked').replaceChildren(...doc.not_ranked.map((n) => {
    const li = konsol.element('li');
    li.append(institutionLink(n.key, n.name || names.get(n.key)), ' — ', konsol.t('rank.received', {n: figure(n.received)}));
    return li;
  }));
}

function renderGroups(doc, by, names) {
  const label = (key) => (by === 'institution' ? names.get(key) || key : key);
  document.getElementById('groups').replaceChildren(...doc.groups.map((g) => cells(konsol.element('tr'),
    [by === 'institution' ? institutionLink(g.key, label(g.key)) : g.key, figure(g.received),
     ...BUCKETS.map((b) => figure(g[b])), figure(g.completion_rate, ' %'),
     duration(g.seconds_to_completion.median), duration(g.seconds_to_completion.p90), figure(g.follow_up_compliance, ' %')])));
  const chart = document.getElementById('groups-chart');
  chart.replaceChildren(charts.bars(konsol.t('chart.completion'),
    doc.groups.map((g) => ({label: label(g.key), value: g.completion_rate})), 100, (v) => figure(v, v === null ? '' : ' %')));
}

function renderIkm(doc, names) {
  document.getElementById('ikm').replaceChildren(...doc.items.map((i) => cells(konsol.element('tr'),
    [institutionLink(i.institution, names.get(i.institution)), i.withheld ? konsol.t('withheld') : figure(i.respondents),
     figure(i.ikm), i.grade || (i.withheld ? konsol.t('withheld') : '—')])));
}

function downloads(params) {
  for (const format of ['csv', 'json']) {
    const link = new URLSearchParams(params);
    link.set('format', format);
    document.getElementById('download-' + format).href = '/api/v1/stats/export/summary?' + link.toString();
  }
}

async function load(form, names) {
  const error = document.getElementById('load-error');
  const base = selection(form);
  const level = form.level.value, by = form.group_by.value;
  const grouped = new URLSearchParams(base);
  grouped.set('group_by', by);
  if (by === 'institution') grouped.set('level', level);
  const ranked = new URLSearchParams(base);
  ranked.set('level', level);
  const ikm = new URLSearchParams({level});
  history.replaceState(null, '', '?' + new URLSearchParams({...Object.fromEntries(base), level, group_by: by}).toString());
  const [summary, groups, rankings, index] = await Promise.all([stat('summary', base), stat('summary', grouped),
    stat('rankings', ranked), stat('ikm', ikm)]);
  const failed = [summary, groups, rankings, index].find((a) => a.status !== 200);
  error.hidden = !failed;
  if (failed) {
    error.textContent = konsol.problemText(failed);
    return;
  }
  renderSummary(summary.data.groups[0]);
  renderRankings(rankings.data, names);
  renderGroups(groups.data, by, names);
  renderIkm(index.data, names);
  downloads(grouped);
}

konsol.start(async () => {
  const form = document.getElementById('selection');
  const institutions = await konsol.api('GET', '/institutions', {anonymous: true});
  const names = new Map(((institutions.data || {}).items || []).map((i) => [i.code, i.name]));
  form.level.replaceChildren(...LEVELS.map((l) => konsol.element('option', {value: l}, konsol.t('level.' + l))));
  form.group_by.replaceChildren(...GROUPS.map((g) => konsol.element('option', {value: g}, konsol.t('group.' + g))));
  form.level.value = 'city';
  const params = new URLSearchParams(location.search);
  for (const name of ['from', 'to', 'level', 'group_by']) if (params.get(name)) form[name].value = params.get(name);
  form.addEventListener('submit', (event) => { event.preventDefault(); load(form, names); });
  await load(form, names);
  let polling = false;
  konsolLive.followPublic(() => load(form, names), () => {
    if (!polling) setInterval(() => load(form, names), 60000);
    polling = true;
  });
}, false);
