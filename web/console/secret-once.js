'use strict';
/* A secret the API shows only once (a webhook's signing secret, an Open311 key): put in a read-only
 * field with a warning and a copy button, and focused so that it is noticed and selectable. The
 * page has #create-result and #secret-box with #secret, #copy-secret and #copy-secret-result. */
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
