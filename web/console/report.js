'use strict';
/* One report for staff (GET /staff/reports/{id}): facts, clocks in colour, pre-checks, the history,
 * and the actions its status allows (docs/lifecycle.md). A 409 is told in words: who changed the
 * report and when, from the history as it is now. */
const ALLOWED = {
  waiting_verification: ['verify', 'postpone', 'not_our_authority', 'archive', 'link_duplicate'],
  postponed: ['archive', 'link_duplicate'],
  dispatched: ['follow_up', 'internal_note', 'assign', 'dispatch', 'transfer'],
  transferred: ['follow_up', 'internal_note', 'assign', 'dispatch', 'transfer'],
  in_process: ['follow_up', 'internal_note', 'assign', 'transfer', 'close'],
  reporter_replied: ['follow_up', 'internal_note', 'assign', 'transfer', 'close'],
  closed_by_admin: ['reopen', 'internal_note'],
  closed_by_system: ['reopen', 'internal_note'],
};
/* What each action asks for: r reason (R required), i institution (I required), n note (N required),
 * D the original's tracking id. */
const NEEDS = {link_duplicate: 'D', verify: '', postpone: 'RN', not_our_authority: 'Ri', archive: 'Rn', dispatch: 'In', transfer: 'RIn',
  follow_up: 'N', internal_note: 'N', assign: 'A', close: 'rn', reopen: 'Rn'};
const ADMIN_ONLY = new Set(['link_duplicate', 'verify', 'postpone', 'not_our_authority', 'archive', 'dispatch', 'transfer', 'close', 'reopen']);

const trackingId = decodeURIComponent(location.pathname.split('/').pop());
let reasons = [];
let actionKey = null;
let staffMember = null;

function actionsFor(report, staff) {
  if (staff.role === 'analyst') return [];
  return (ALLOWED[report.status] || []).filter((a) => staff.role !== 'unit_liaison' || !ADMIN_ONLY.has(a));
}

function showFields(form) {
  const needs = NEEDS[form.action.value] || '';
  const show = (id, letter) => {
    const wanted = needs.toLowerCase().includes(letter);
    document.getElementById(id).hidden = !wanted;
    const input = document.getElementById(id).querySelector('input, select, textarea');
    if (needs.includes(letter.toUpperCase())) input.setAttribute('required', '');
    else input.removeAttribute('required');
  };
  show('a-reason-field', 'r');
  show('a-institution-field', 'i');
  show('a-note-field', 'n');
  show('a-duplicate-field', 'd');
  show('a-assignee-field', 'a');
  if (form.action.value === 'assign' && !form.assignee.value) form.assignee.value = staffMember.username;
  const en = konsol.language() === 'en';
  const select = form.reason_code;
  select.replaceChildren(konsol.element('option', {value: ''}, konsol.t('report.choose')));
  for (const r of reasons.filter((x) => x.action === form.action.value))
    select.append(konsol.element('option', {value: r.code}, en ? r.label_en : r.label));
}

function renderClocks(report) {
  const list = document.getElementById('clocks');
  list.replaceChildren();
  for (const clock of report.clocks) {
    const open = !clock.ended_at;
    const level = open ? konsol.urgency({due_at: clock.due_at, missed: !!clock.missed_at}) : 'ended';
    const text = konsol.t('clock.' + clock.kind) + ' — ' + konsol.t('clock.due', {date: konsol.dateInWords(clock.due_at, true)})
      + (open ? '' : ' (' + konsol.t('clock.outcome.' + (clock.outcome || 'ended')) + ')');
    list.append(konsol.element('li', {class: 'due due-' + level}, text + (open ? ' · ' + konsol.t('due.word.' + level) : '')));
  }
}

function renderPrechecks(report) {
  const list = document.getElementById('prechecks');
  list.replaceChildren();
  const p = report.prechecks;
  if (!p) {
    list.append(konsol.element('li', {}, konsol.t('precheck.pending')));
    return;
  }
  if (p.missing.length) list.append(konsol.element('li', {}, konsol.t('precheck.missing', {fields: p.missing.join(', ')})));
  if (p.abuse_words.length) list.append(konsol.element('li', {}, konsol.t('precheck.abuse', {words: p.abuse_words.join(', ')})));
  for (const other of p.possible_duplicates) {
    const li = konsol.element('li', {}, konsol.t('precheck.duplicate') + ' ');
    li.append(konsol.element('a', {href: '/konsol/laporan/' + other}, other), ' ');
    const link = konsol.element('button', {type: 'button', class: 'link'}, konsol.t('precheck.link', {id: other}));
    link.addEventListener('click', () => {
      const form = document.getElementById('act');
      if (![...form.action.options].some((o) => o.value === 'link_duplicate')) return;
      form.action.value = 'link_duplicate';
      showFields(form);
      form.duplicate_of.value = other;
      form.duplicate_of.focus();
    });
    li.append(link);
    list.append(li);
  }
  if (report.duplicate_of) {
    const li = konsol.element('li', {}, konsol.t('precheck.duplicate_of') + ' ');
    li.append(konsol.element('a', {href: '/konsol/laporan/' + report.duplicate_of}, report.duplicate_of));
    list.append(li);
  }
  if (!list.children.length) list.append(konsol.element('li', {}, konsol.t('precheck.clean')));
}

function renderHistory(report) {
  document.getElementById('history').replaceChildren(...(report.actions || []).map((a) => {
    const tr = konsol.element('tr', a.internal ? {class: 'internal'} : {});
    const note = [a.internal && konsol.t('report.internal'), a.assignee && konsol.t('report.assigned_to', {who: a.assignee}),
      a.reason_code, a.institution, a.note, a.attachment && konsol.t('report.attachment', {ref: a.attachment})]
      .filter(Boolean).join(' · ');
    tr.append(konsol.element('td', {}, konsol.dateInWords(a.at, true)), konsol.element('td', {}, konsol.t('action.' + a.action)),
      konsol.element('td', {}, a.actor_id || konsol.t('role.' + a.actor_role)),
      konsol.element('td', {}, konsol.t('status.' + a.status)), konsol.element('td', {}, note));
    return tr;
  }));
}

function render(report, staff) {
  document.getElementById('report-title').textContent = report.title || konsol.t('desk.untitled');
  document.getElementById('tracking-id').textContent = report.tracking_id;
  document.getElementById('status').textContent = konsol.t('status.' + report.status);
  document.getElementById('institution').textContent = report.institution || report.target_institution || '—';
  document.getElementById('assignee').textContent = report.assignee || konsol.t('report.unassigned');
  document.getElementById('category').textContent = report.category;
  document.getElementById('region').textContent = report.region;
  document.getElementById('submitted').textContent = konsol.dateInWords(report.submitted_at, true);
  document.getElementById('reporter').textContent = report.anonymous ? konsol.t('report.anonymous') : report.reporter_name;
  document.getElementById('body').textContent = report.body;
  document.getElementById('address').textContent = report.address || '';
  renderClocks(report);
  renderPrechecks(report);
  renderHistory(report);
  const form = document.getElementById('act');
  const allowed = actionsFor(report, staff);
  form.hidden = !allowed.length;
  document.getElementById('no-actions').hidden = allowed.length > 0;
  const current = form.action.value;
  form.action.replaceChildren(...allowed.map((a) => konsol.element('option', {value: a}, konsol.t('action.' + a))));
  if (allowed.includes(current)) form.action.value = current;
  if (allowed.length) showFields(form);
  document.getElementById('report').hidden = false;
}

async function fetchReport() {
  return konsol.api('GET', '/staff/reports/' + encodeURIComponent(trackingId));
}

/* "Already verified by X at 10:42": the latest step a member of staff took, from the history as it is now. */
function conflictText(report) {
  const last = (report.actions || []).filter((a) => a.actor_id).slice(-1)[0];
  if (!last) return konsol.t('conflict.plain', {status: konsol.t('status.' + report.status)});
  return konsol.t('conflict', {status: konsol.t('status.' + last.status), actor: last.actor_id,
    time: konsol.timeOfDay(last.at), date: konsol.dateInWords(last.at)});
}

async function act(form, staff) {
  const result = document.getElementById('act-result');
  result.className = 'notice';
  result.textContent = konsol.t('report.sending');
  const body = {action: form.action.value};
  const needs = NEEDS[body.action] || '';
  if (needs.toLowerCase().includes('r') && form.reason_code.value) body.reason_code = form.reason_code.value;
  if (needs.toLowerCase().includes('i') && form.institution.value.trim()) body.institution = form.institution.value.trim();
  if (needs.toLowerCase().includes('n') && form.note.value.trim()) body.note = form.note.value.trim();
  if (needs.includes('D')) body.duplicate_of = form.duplicate_of.value.trim();
  if (needs.includes('A')) body.assignee = form.assignee.value.trim();
  actionKey = actionKey || konsol.newKey();
  const answer = await konsol.api('POST', '/reports/' + encodeURIComponent(trackingId) + '/actions', {body, key: actionKey});
  const fresh = await fetchReport();
  if (answer.status === 200) {
    actionKey = null;
    form.note.value = '';
    form.institution.value = '';
    result.className = 'notice done';
    result.textContent = konsol.t('report.done', {action: konsol.t('action.' + body.action), status: konsol.t('status.' + answer.data.status)});
  } else {
    if (answer.status !== 0 && answer.status < 500) actionKey = null;
    result.className = 'notice failed';
    result.textContent = answer.status === 409 && fresh.status === 200 ? conflictText(fresh.data) : konsol.problemText(answer);
  }
  if (fresh.status === 200) render(fresh.data, staff);
  result.focus();
}

konsol.start(async (staff) => {
  staffMember = staff;
  const [answer, reasonList] = await Promise.all([fetchReport(), konsol.api('GET', '/reason-codes')]);
  reasons = (reasonList.data && reasonList.data.items) || [];
  if (answer.status !== 200) {
    const error = document.getElementById('load-error');
    error.hidden = false;
    error.textContent = answer.status === 404 ? konsol.t('report.not_found') : konsol.problemText(answer);
    return;
  }
  const form = document.getElementById('act');
  form.action.addEventListener('change', () => showFields(form));
  form.addEventListener('submit', (event) => { event.preventDefault(); act(form, staff); });
  render(answer.data, staff);
  await showDeliveries(staff, trackingId);
}, true);
