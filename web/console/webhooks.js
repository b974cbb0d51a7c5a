'use strict';
/* Webhooks of the admin's subtree (GET/POST/DELETE /webhooks): the list, registering one (its secret
 * shown once), switching one off for good, and per webhook its delivery log with "resend". */
let log = null;
let shown = null;   /* the webhook whose log is open */

function reloadLog() {
  return shown ? log.load(logQuery(shown)) : null;
}

function hookState(hook) {
  if (hook.active) return konsol.t('webhooks.active');
  return konsol.t('webhooks.off', {why: hook.disabled_reason || '—'});
}

function hookActions(hook) {
  const cell = konsol.element('td', {class: 'actions'});
  const show = konsol.element('button', {type: 'button', class: 'show-log'}, konsol.t('webhooks.show_log'));
  show.setAttribute('aria-label', konsol.t('webhooks.show_log_of', {id: hook.id}));
  show.addEventListener('click', () => showLog(hook));
  cell.append(show);
  if (hook.active) {
    const off = konsol.element('button', {type: 'button', class: 'switch-off secondary'}, konsol.t('webhooks.switch_off'));
    off.setAttribute('aria-label', konsol.t('webhooks.switch_off_of', {id: hook.id}));
    off.addEventListener('click', () => switchOff(hook, off));
    cell.append(' ', off);
  }
  return cell;
}

function hookRow(hook) {
  const tr = konsol.element('tr', {'data-webhook': hook.id, class: hook.active ? 'active' : 'off'});
  const url = konsol.element('td', {class: 'url'}, hook.url);
  if (hook.description) url.append(konsol.element('br'), konsol.element('span', {class: 'help'}, hook.description));
  const events = hook.event_types && hook.event_types.length ? hook.event_types.join(', ') : konsol.t('webhooks.all_events');
  tr.append(konsol.element('td', {class: 'code'}, String(hook.id)), url, konsol.element('td', {}, hook.institution),
    konsol.element('td', {}, events), konsol.element('td', {class: 'state'}, hookState(hook)), hookActions(hook));
  return tr;
}

function loadHooks() {
  return loadAdminList('/webhooks', 'hooks', 'hooks-empty', hookRow);
}

function logQuery(hook) {
  const status = document.getElementById('log-status').value;
  return 'channel=webhook&webhook=' + encodeURIComponent(hook.id) + '&limit=100' +
    (status ? '&status=' + encodeURIComponent(status) : '');
}

async function showLog(hook) {
  const section = document.getElementById('log');
  section.dataset.webhook = hook.id;
  section.hidden = false;
  const heading = document.getElementById('log-heading');
  heading.textContent = konsol.t('webhooks.log_heading', {id: hook.id, url: hook.url});
  heading.focus();
  document.getElementById('log-notice').textContent = '';
  shown = hook;
  await reloadLog();
}

async function switchOff(hook, button) {
  if (!await askConfirm(konsol.t('webhooks.switch_off_confirm', {id: hook.id, url: hook.url}), button)) return;
  if (await deleteTold('hook-notice', '/webhooks/' + encodeURIComponent(hook.id),
    konsol.t('webhooks.switched_off', {id: hook.id}))) await loadHooks();
}

function hookBody(form) {
  const body = {url: form.url.value.trim()};
  const institution = form.institution.value.trim();
  const events = form.event_types.value.split(',').map((e) => e.trim()).filter(Boolean);
  const description = form.description.value.trim();
  if (institution) body.institution = institution;
  if (events.length) body.event_types = events;
  if (description) body.description = description;
  return body;
}

/* The page's own check of the URL, so an obvious mistake is told before asking; the API checks
 * everything again (addresses included). */
function urlProblem(url) {
  if (!url) return konsol.t('webhooks.url_missing');
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return null;
  } catch (e) {
    /* told below */
  }
  return konsol.t('webhooks.url_invalid');
}

async function register(event) {
  event.preventDefault();
  const form = event.target;
  const result = document.getElementById('create-result');
  const body = hookBody(form);
  const problem = urlProblem(body.url);
  document.getElementById('secret-box').hidden = true;
  if (problem) {
    result.className = 'notice failed';
    result.textContent = problem;
    form.url.setAttribute('aria-invalid', 'true');
    form.url.focus();
    return;
  }
  form.url.removeAttribute('aria-invalid');
  const said = (hook) => konsol.t('webhooks.created', {id: hook.id});
  if (await createWithSecret(form, '/webhooks', body, 'secret', said)) await loadHooks();
}

konsol.start(async () => {
  log = deliveryLog.create({body: document.getElementById('log-rows'), empty: document.getElementById('log-empty'),
    notice: document.getElementById('log-notice'), canResend: true});
  document.getElementById('log-status').addEventListener('change', reloadLog);
  document.getElementById('log-refresh').addEventListener('click', reloadLog);
  document.getElementById('create').addEventListener('submit', register);
  await loadHooks();
}, true);
