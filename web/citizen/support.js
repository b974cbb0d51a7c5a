'use strict';
/* "Dukung" on a report's page: the count, and one support per person. The person is a random id
 * this browser keeps (never sent anywhere else); the server counts each id once per report. */
const supportPart = (() => {
  const $ = (id) => document.getElementById(id);

  function supporterId() {
    let supporter = localStorage.getItem('aduan.supporter');
    if (!supporter) {
      supporter = aduan.newKey();
      localStorage.setItem('aduan.supporter', supporter);
    }
    return supporter;
  }

  function showCount(answer) {
    $('support-count').textContent = aduan.t('support.count', {count: answer.data.supports});
  }

  /* Shows the part when the report can be supported (a report of the public list). */
  async function show(trackingId) {
    const path = '/reports/' + encodeURIComponent(trackingId) + '/support';
    const answer = await aduan.api('GET', path);
    if (answer.status !== 200) return;
    showCount(answer);
    const button = $('support-button');
    const done = 'aduan.supported.' + trackingId;
    button.disabled = localStorage.getItem(done) === 'yes';
    if (button.disabled) $('support-state').textContent = aduan.t('support.already');
    $('support-part').hidden = false;
    button.addEventListener('click', async () => {
      button.disabled = true;
      const sent = await aduan.api('POST', path, {body: {supporter: supporterId()}});
      if (sent.status === 200) {
        localStorage.setItem(done, 'yes');
        showCount(sent);
        $('support-state').textContent = aduan.t(sent.data.counted ? 'support.thanks' : 'support.already');
        return;
      }
      button.disabled = false;
      $('support-state').textContent = aduan.t(sent.status === 429 ? 'support.too_many' : 'error.unavailable');
    });
  }

  return {show};
})();
