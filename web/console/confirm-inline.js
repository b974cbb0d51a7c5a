'use strict';
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
