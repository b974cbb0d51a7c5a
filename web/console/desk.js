'use strict';
/* The desk: the reports in the member's scope, filtered by the API (GET /staff/reports), with the
 * count of each public bucket and bulk verify/archive. Each bulk action on a report carries an
 * Idempotency-Key kept for that report, action and reason, so pressing again never acts twice. */
const BUCKETS = ['not_yet_verified', 'not_yet_followed_up', 'in_process', 'completed', 'archived'];
const SORTS = ['due', 'newest', 'oldest', 'updated'];
const bulkKeys = new Map();

function options(select, pairs, blank) {
  select.replaceChildren();
  if (blank) select.append(konsol.element('option', {value: ''}, blank));
  for (const [value, label] of pairs) select.append(konsol.element('option', {value}, label));
}

function filtersFromUrl(form) {
  const params = new URLSearchParams(location.search);
  for (const el of form.elements) {
    if (!el.name || !params.has(el.name)) continue;
    if (el.type === 'checkbox') el.checked = params.get(el.name) === 'true';
    else el.value = params.get(el.name);
  }
}

function query(form) {
  const params = new URLSearchParams();
  for (const el of form.elements) {
    if (!el.name || (el.type === 'checkbox' && !el.checked) || el.value === '') continue;
    params.set(el.name, el.value);
  }
  return params;
}

function deadlineCell(item) {
  const next = (item.deadlines || [])[0];
  const cell = konsol.element('td');
  if (!next) return cell;
  const level = konsol.urgency(next);
  cell.append(konsol.element('span', {class: 'due due-' + level},
    konsol.t('due.' + level, {date: konsol.dateInWords(next.due_at), kind: konsol.t('clock.' + next.kind)})));
  return cell;
}

function row(item) {
  const tr = konsol.element('tr');
  const box = konsol.element('input', {type: 'checkbox', class: 'pick', value: item.tracking_id,
    'aria-label': konsol.t('desk.select', {id: item.tracking_id})});
  const pick = konsol.element('td');
  pick.append(box);
  const id = konsol.element('td', {class: 'code'});
  id.append(konsol.element('a', {href: '/konsol/laporan/' + item.tracking_id}, item.tracking_id));
  const duplicate = item.prechecks && item.prechecks.possible_duplicates && item.prechecks.possible_duplicates.length;
  const title = konsol.element('td', {}, item.title || konsol.t('desk.untitled'));
  if (duplicate) title.append(' ', konsol.element('span', {class: 'tag'}, konsol.t('desk.duplicate_tag')));
  tr.append(pick, id, title, konsol.element('td', {}, item.category), konsol.element('td', {}, item.region),
    konsol.element('td', {}, konsol.t('status.' + item.status)), deadlineCell(item),
    konsol.element('td', {}, konsol.dateInWords(item.submitted_at)));
  return tr;
}

/* The desk's rows. A live refresh keeps what the officer picked for a bulk action, read as its
 * answer is shown: a pick made while the answer was on its way counts too. */
function showRows(items, keepPicks) {
  const rows = document.getElementById('rows');
  const picked = new Set(keepPicks ? [...rows.querySelectorAll('.pick:checked')].map((el) => el.value) : []);
  rows.replaceChildren(...items.map(row));
  const boxes = [...rows.querySelectorAll('.pick')];
  boxes.forEach((el) => { el.checked = picked.has(el.value); });
  document.getElementById('select-all').checked = boxes.length > 0 && boxes.every((el) => el.checked);
}

/* Loads run at once (a search, a live refresh): only the latest one started is shown. */
let loads = 0;

async function load(form, keepPicks = false) {
  const error = document.getElementById('desk-error');
  const params = query(form);
  params.set('limit', '100');
  if (deskPages.cursor()) params.set('after', deskPages.cursor());
  history.replaceState(null, '', '?' + query(form).toString());
  const started = ++loads;
  const answer = await konsol.api('GET', '/staff/reports?' + params.toString());
  if (started !== loads) return;
  if (answer.status !== 200) {
    error.textContent = konsol.problemText(answer);
    return;
  }
  error.textContent = '';
  const doc = answer.data;
  if (!konsolLive.changed('desk', doc)) return;
  showRows(doc.items, keepPicks);
  document.getElementById('empty').hidden = doc.items.length > 0;
  deskPages.show(doc.next);
  const capped = new Set(doc.counts_capped || []);
  const counts = BUCKETS.map((b) => konsol.t('bucket.' + b) + ': ' + count(doc.counts[b] || 0, capped.has(b)))
    .join(' · ');
  document.getElementById('counts').textContent =
    konsol.t('desk.total', {total: count(doc.total, doc.total_capped)}) + ' — ' + counts;
}

/* The API counts up to a cap and says which counts stopped there: "more than 1000". */
function count(n, capped) {
  return capped ? konsol.t('desk.count_over', {n}) : String(n);
}

async function bulk(form, filters) {
  const action = form.action.value;
  const reason = form.reason_code.value;
  const picked = [...document.querySelectorAll('.pick:checked')].map((el) => el.value);
  const outcome = document.getElementById('bulk-outcome');
  outcome.replaceChildren();
  if (!picked.length) {
    outcome.append(konsol.element('li', {}, konsol.t('bulk.none')));
    return;
  }
  if (action === 'archive' && !reason) {
    outcome.append(konsol.element('li', {class: 'failed'}, konsol.t('bulk.reason_needed')));
    form.reason_code.focus();
    return;
  }
  const body = {action};
  if (action === 'archive') body.reason_code = reason;
  if (form.note.value.trim()) body.note = form.note.value.trim();
  const results = await Promise.all(picked.map(async (id) => {
    const slot = [id, action, reason, body.note || ''].join('|');
    if (!bulkKeys.has(slot)) bulkKeys.set(slot, konsol.newKey());
    const answer = await konsol.api('POST', '/reports/' + id + '/actions', {body, key: bulkKeys.get(slot)});
    return [id, answer];
  }));
  for (const [id, answer] of results) {
    const ok = answer.status === 200;
    const text = ok ? konsol.t('bulk.done', {id, status: konsol.t('status.' + answer.data.status)})
                    : konsol.t('bulk.failed', {id, why: konsol.problemText(answer)});
    outcome.append(konsol.element('li', {class: ok ? 'done' : 'failed'}, text));
  }
  await load(filters);
}

konsol.start(async () => {
  const filters = document.getElementById('filters');
  const [categories, regions, reasons] = await Promise.all([
    konsol.api('GET', '/categories'), konsol.api('GET', '/regions'), konsol.api('GET', '/reason-codes')]);
  const label = (item) => item.code + ' — ' + item.name;
  options(filters.status, BUCKETS.map((b) => [b, konsol.t('bucket.' + b)]), konsol.t('desk.any'));
  options(filters.category, ((categories.data || {}).items || []).map((c) => [c.code, label(c)]), konsol.t('desk.any'));
  options(filters.region, ((regions.data || {}).items || []).filter((r) => r.kind !== 'village')
    .map((r) => [r.code, label(r)]), konsol.t('desk.any'));
  options(filters.sort, SORTS.map((s) => [s, konsol.t('sort.' + s)]));
  const en = konsol.language() === 'en';
  const archive = ((reasons.data || {}).items || []).filter((r) => r.action === 'archive');
  const bulkForm = document.getElementById('bulk');
  options(bulkForm.reason_code, archive.map((r) => [r.code, en ? r.label_en : r.label]), konsol.t('bulk.no_reason'));
  filtersFromUrl(filters);
  filters.addEventListener('submit', (event) => { event.preventDefault(); deskPages.reset(); load(filters); });
  deskPages.start(() => load(filters));
  bulkForm.addEventListener('submit', (event) => { event.preventDefault(); bulk(bulkForm, filters); });
  document.getElementById('select-all').addEventListener('change', (event) => {
    document.querySelectorAll('.pick').forEach((el) => { el.checked = event.target.checked; });
  });
  await Promise.all([load(filters), startSavedFilters()]);
  konsolLive.followStaff(() => { load(filters, true); konsol.showUnread(); },
    () => setInterval(konsol.showUnread, 30000));
}, true);
