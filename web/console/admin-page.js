'use strict';
/* What the administration pages (webhooks, Open311 keys) share: their list from the API with a 403
 * told in words, a secret the API shows only once, and a confirmation inside the page. The pages
 * have #admin and #create-result, and the parts admin-lead (#load-error, #forbidden), admin-secret
 * (#secret-box with #secret, #copy-secret, #copy-secret-result) and admin-confirm (#confirm with
 * #confirm-text, #confirm-yes, #confirm-no). */

/* GET path's items into the table body `bodyId` (one `row` each) and the "empty" line `emptyId`;
 * false when the member may not see them (the page's reason in words instead) or the call failed. */
async function loadAdminList(path, bodyId, emptyId, row) {
  const answer = await konsol.api('GET', path);
  const error = document.getElementById('load-error');
  if (answer.status === 403) {
    document.getElementById('forbidden').hidden = false;
    return false;
  }
  if (answer.status !== 200) {
    error.textContent = konsol.problemText(answer);
    return false;
  }
  error.textContent = '';
  document.getElementById('admin').hidden = false;
  document.getElementById(bodyId).replaceChildren(...answer.data.items.map(row));
  document.getElementById(emptyId).hidden = answer.data.items.length > 0;
  return true;
}

/* DELETE path once the member confirmed, telling the progress in the notice `noticeId` (`done` words
 * the success, the refusal in words otherwise); whether it is gone. */
async function deleteTold(noticeId, path, done) {
  const notice = document.getElementById(noticeId);
  notice.className = 'notice';
  notice.textContent = konsol.t('sending');
  const answer = await konsol.api('DELETE', path);
  const ok = answer.status === 204;
  notice.className = 'notice ' + (ok ? 'done' : 'failed');
  notice.textContent = ok ? done : konsol.problemText(answer);
  return ok;
}

/* A secret the API shows only once (a webhook's signing secret, an Open311 key): put in a read-only
 * field with a warning and a copy button, and focused so that it is noticed and selectable. */
function showSecretOnce(value) {
  const box = document.getElementById('secret-box');
  const field = document.getElementById('secret');
  const result = document.getElementById('copy-secret-result');
  field.value = value;
  result.textContent = '';
  box.hidden = false;
  field.focus();
  field.select();
}

/* Creates what the form describes (POST path with body), telling the progress in #create-result; on
 * 201 the form is emptied and the answer's `secretField` shown once, and the answer's document
 * returned (`said` words the success); otherwise the refusal in words and null. */
async function createWithSecret(form, path, body, secretField, said) {
  const result = document.getElementById('create-result');
  result.className = 'notice';
  result.textContent = konsol.t('sending');
  const answer = await konsol.api('POST', path, {body});
  if (answer.status !== 201) {
    result.className = 'notice failed';
    result.textContent = konsol.problemText(answer);
    return null;
  }
  result.className = 'notice done';
  result.textContent = said(answer.data);
  form.reset();
  showSecretOnce(answer.data[secretField]);
  return answer.data;
}

/* Copies through the Clipboard API, or through the selected field where that API is missing. */
async function copySecret() {
  const field = document.getElementById('secret');
  const result = document.getElementById('copy-secret-result');
  let copied = false;
  try {
    await navigator.clipboard.writeText(field.value);
    copied = true;
  } catch (e) {
    field.select();
    copied = document.execCommand('copy');
  }
  result.className = copied ? 'done' : 'failed';
  result.textContent = konsol.t(copied ? 'copy.done' : 'copy.failed');
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('copy-secret').addEventListener('click', copySecret);
});

/* A confirmation inside the page (the #confirm box) instead of window.confirm: it is translated,
 * styled, reachable by keyboard, and answers a promise: true for "yes", false for "cancel" or Escape.
 * Focus goes to "cancel" first, and back to the button that asked afterwards. */
function askConfirm(text, from) {
  const box = document.getElementById('confirm');
  const yes = document.getElementById('confirm-yes');
  const no = document.getElementById('confirm-no');
  document.getElementById('confirm-text').textContent = text;
  box.hidden = false;
  no.focus();
  return new Promise((resolve) => {
    function finish(answer) {
      box.hidden = true;
      yes.removeEventListener('click', onYes);
      no.removeEventListener('click', onNo);
      box.removeEventListener('keydown', onKey);
      if (from && from.isConnected) from.focus();
      resolve(answer);
    }
    function onYes() { finish(true); }
    function onNo() { finish(false); }
    function onKey(e) { if (e.key === 'Escape') finish(false); }
    yes.addEventListener('click', onYes);
    no.addEventListener('click', onNo);
    box.addEventListener('keydown', onKey);
  });
}
