'use strict';
/* Open311 keys (national admins; GET/POST/DELETE /admin/open311-keys): the list, issuing one (the key
 * shown once, with a copy button and a warning) and revoking one after a confirmation. */
function keyState(key) {
  if (!key.revoked_at) return konsol.t('open311.in_force');
  return konsol.t('open311.revoked_at', {date: konsol.dateInWords(key.revoked_at, true)});
}

function keyRow(key) {
  const tr = konsol.element('tr', {'data-key': key.name, class: key.revoked_at ? 'off' : 'active'});
  const state = konsol.element('td', {class: 'state'}, keyState(key));
  if (!key.revoked_at) {
    const revoke = konsol.element('button', {type: 'button', class: 'revoke secondary'}, konsol.t('open311.revoke'));
    revoke.setAttribute('aria-label', konsol.t('open311.revoke_of', {name: key.name}));
    revoke.addEventListener('click', () => revokeKey(key, revoke));
    state.append(' ', revoke);
  }
  tr.append(konsol.element('td', {class: 'code'}, key.name), konsol.element('td', {class: 'code'}, key.channel),
    konsol.element('td', {}, key.region), konsol.element('td', {}, konsol.t(key.answer_token ? 'yes' : 'no')),
    konsol.element('td', {}, konsol.dateInWords(key.created_at, true)), state);
  return tr;
}

function loadKeys() {
  return loadAdminList('/admin/open311-keys', 'keys', 'keys-empty', keyRow);
}

async function revokeKey(key, button) {
  if (!await askConfirm(konsol.t('open311.revoke_confirm', {name: key.name}), button)) return;
  await deleteTold('keys-notice', '/admin/open311-keys/' + encodeURIComponent(key.name),
    konsol.t('open311.revoked', {name: key.name}));
  await loadKeys();
}

async function issue(event) {
  event.preventDefault();
  document.getElementById('secret-box').hidden = true;
  const value = (id) => document.getElementById(id).value.trim();
  const body = {name: value('k-name'), region: value('k-region'),
    answer_token: document.getElementById('k-token').checked};
  const said = (key) => konsol.t('open311.issued', {name: key.name, channel: key.channel});
  if (await createWithSecret(event.target, '/admin/open311-keys', body, 'api_key', said)) await loadKeys();
}

konsol.start(async () => {
  document.getElementById('create').addEventListener('submit', issue);
  await loadKeys();
}, true);
