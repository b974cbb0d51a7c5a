'use strict';
/* /ikuti: the links of followers' mails. #konfirmasi=TOKEN confirms at once (the mail was asked for
 * on the report's page); #berhenti=TOKEN asks for one click before it ends the follow, so a mail
 * scanner opening the link ends nothing. The token stays in the fragment: it never reaches a server
 * log as part of a URL. */
aduan.start(async () => {
  const $ = (id) => document.getElementById(id);
  /* Another link opened in this tab changes only the fragment: start afresh for it. */
  window.addEventListener('hashchange', () => location.reload());
  const fragment = new URLSearchParams(location.hash.slice(1));
  const confirmToken = fragment.get('konfirmasi'), stopToken = fragment.get('berhenti');

  function trackLink(trackingId) {
    const link = $('follow-report');
    link.href = '/lapor/' + encodeURIComponent(trackingId);
    link.textContent = aduan.t('follow.see_report', {id: trackingId});
    link.hidden = false;
  }

  function outcome(answer, doneKey) {
    if (answer.status === 200) {
      $('follow-outcome').textContent = aduan.t(doneKey);
      trackLink(answer.data.tracking_id);
    } else if (answer.status === 404) {
      $('follow-outcome').textContent = aduan.t('follow.link_invalid');
    } else {
      $('follow-outcome').textContent = aduan.t(answer.status === 429 ? 'error.rate_limited' : 'error.unavailable');
    }
  }

  if (confirmToken) {
    outcome(await aduan.api('POST', '/followers/confirm', {body: {token: confirmToken}}), 'follow.confirmed');
  } else if (stopToken) {
    const button = $('unfollow-button');
    $('unfollow-part').hidden = false;
    button.addEventListener('click', async () => {
      button.disabled = true;
      const answer = await aduan.api('POST', '/followers/unsubscribe/' + encodeURIComponent(stopToken));
      outcome(answer, 'follow.unsubscribed');
      $('unfollow-part').hidden = answer.status === 200;
      button.disabled = false;
    });
  } else {
    $('follow-outcome').textContent = aduan.t('follow.link_invalid');
  }
});
