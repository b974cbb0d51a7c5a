'use strict';
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
