'use strict';
/* The member's inbox (GET /inbox): newest first, unread ones marked, each read with one press. */
let loads = 0;   /* only the latest of loads run at once (a toggle, a live refresh) is shown */

async function loadInbox() {
  const unreadOnly = document.getElementById('unread-only').checked;
  const started = ++loads;
  const answer = await konsol.api('GET', '/inbox?limit=100' + (unreadOnly ? '&unread=true' : ''));
  if (started !== loads) return;
  const error = document.getElementById('inbox-error');
  if (answer.status !== 200) {
    error.textContent = konsol.problemText(answer);
    return;
  }
  error.textContent = '';
  if (!konsolLive.changed('inbox', answer.data)) return;
  const list = document.getElementById('items');
  list.replaceChildren(...answer.data.items.map((item) => {
    const li = konsol.element('li', {class: item.read_at ? 'read' : 'unread'});
    const heading = konsol.element('p', {class: 'subject'});
    if (!item.read_at) heading.append(konsol.element('span', {class: 'tag'}, konsol.t('inbox.new')), ' ');
    heading.append(item.subject);
    li.append(heading, konsol.element('p', {class: 'body-text'}, item.body));
    const line = konsol.element('p', {}, konsol.dateInWords(item.created_at, true) + ' · ');
    if (item.tracking_id) line.append(konsol.element('a', {href: '/konsol/laporan/' + item.tracking_id}, item.tracking_id));
    if (!item.read_at) {
      const read = konsol.element('button', {type: 'button', class: 'link'}, konsol.t('inbox.mark_read'));
      read.addEventListener('click', async () => {
        await konsol.api('POST', '/inbox/' + encodeURIComponent(item.id) + '/read');
        await Promise.all([loadInbox(), konsol.showUnread()]);
      });
      line.append(' · ', read);
    }
    li.append(line);
    return li;
  }));
  document.getElementById('inbox-empty').hidden = answer.data.items.length > 0;
}

konsol.start(async () => {
  document.getElementById('read-all').addEventListener('click', async () => {
    await konsol.api('POST', '/inbox/read');
    await Promise.all([loadInbox(), konsol.showUnread()]);
  });
  document.getElementById('unread-only').addEventListener('change', loadInbox);
  await loadInbox();
  konsolLive.followStaff(() => Promise.all([loadInbox(), konsol.showUnread()]),
    () => setInterval(konsol.showUnread, 30000));
}, true);
