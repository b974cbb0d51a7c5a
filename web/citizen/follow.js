'use strict';
/* "Ikuti" on a report's page: an e-mail address to hear of each public step. The server sends a
 * confirmation mail first (double opt-in), so the page only says that a mail is on its way; it
 * never learns whether the address already follows. */
const followPart = (() => {
  const $ = (id) => document.getElementById(id);

  /* Shows the part for a report of the public list (the caller knows it is one). */
  function show(trackingId) {
    const form = $('follow-form');
    $('follow-part').hidden = false;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      aduan.clearErrors(form);
      $('follow-state').textContent = '';
      const button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      const answer = await aduan.api('POST', '/reports/' + encodeURIComponent(trackingId) + '/followers',
                                     {body: {email: $('follow-email').value.trim(), language: aduan.language()}});
      button.disabled = false;
      if (answer.status === 202) {
        form.reset();
        $('follow-state').textContent = aduan.t('follow.check_mail');
        return;
      }
      aduan.showProblem(form, answer);
    });
  }

  return {show};
})();
