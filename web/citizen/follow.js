'use strict';
/* "Ikuti" on a report's page: an e-mail address to hear of each public step. The server sends a
 * confirmation mail first (double opt-in), so the page only says that a mail is on its way; it
 * never learns whether the address already follows. */
const followPart = (() => {
  const $ = (id) => document.getElementById(id);

  /* Sends the address typed in `form` (an input named email inside data-field="email") to follow
   * the report; `state` says that the confirmation mail is on its way. */
  function wire(form, trackingId, state) {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      aduan.clearErrors(form);
      state.textContent = '';
      const button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      const answer = await aduan.api('POST', '/reports/' + encodeURIComponent(trackingId) + '/followers',
                                     {body: {email: form.elements.email.value.trim(), language: aduan.language()}});
      button.disabled = false;
      if (answer.status === 202) {
        form.reset();
        state.textContent = aduan.t('follow.check_mail');
        return;
      }
      aduan.showProblem(form, answer);
    });
  }

  /* Shows the part for a report of the public list (the caller knows it is one). */
  function show(trackingId) {
    $('follow-part').hidden = false;
    wire($('follow-form'), trackingId, $('follow-state'));
  }

  return {show, wire};
})();
