'use strict';
/* "My reports" (/laporan-saya): a one-time code to the reporter's e-mail or phone, traded for a
 * session kept only in this tab (sessionStorage: it dies with the tab and within 30 minutes on the
 * server), then every report of that contact, each with a link to its page and a button that
 * issues a new reporter token (remembered in this browser like the one from submission; the old
 * token stops working). */
(() => {
  const $ = (id) => document.getElementById(id);
  const SESSION = 'aduan.reporter_session';
  let contact = '';

  function show(part) {
    for (const name of ['ask-part', 'code-part', 'list-part']) $(name).hidden = name !== part;
  }

  function signOut() {
    sessionStorage.removeItem(SESSION);
    show('ask-part');
    $('contact').focus();
  }

  async function recover(item, button, state) {
    const session = sessionStorage.getItem(SESSION);
    const answer = await aduan.api('POST', '/reporter/reports/' + encodeURIComponent(item.tracking_id) + '/token',
                                   {token: session});
    if (answer.status === 403 || answer.status === 401) return signOut();
    if (answer.status !== 200) {
      state.textContent = answer.status === 429 ? aduan.t('error.rate_limited') : aduan.t('error.unavailable');
      return;
    }
    aduan.tokens.remember(answer.data.tracking_id, answer.data.reporter_token);
    button.disabled = true;
    state.textContent = aduan.t('mine.recovered', {id: item.tracking_id});
  }

  function entry(item) {
    const li = aduan.element('li', {class: 'result'});
    const heading = aduan.element('h3');
    heading.append(aduan.element('a', {href: '/lapor/' + encodeURIComponent(item.tracking_id)},
                                 item.title || item.tracking_id));
    const meta = aduan.element('p', {class: 'meta'});
    meta.append(aduan.element('span', {class: 'code'}, item.tracking_id), ' · ',
                aduan.element('span', {class: 'status'}, aduan.t('bucket.' + item.public_status)), ' · ',
                aduan.t('mine.submitted', {date: aduan.dateInWords(item.submitted_at)}));
    const state = aduan.element('p', {role: 'status'});
    const button = aduan.element('button', {type: 'button', class: 'link'},
                                 aduan.t('mine.recover', {id: item.tracking_id}));
    button.addEventListener('click', () => recover(item, button, state));
    li.append(heading, meta, button, state);
    return li;
  }

  async function list() {
    const answer = await aduan.api('GET', '/reporter/reports', {token: sessionStorage.getItem(SESSION)});
    if (answer.status !== 200) return signOut();
    const items = answer.data.items;
    $('mine').replaceChildren(...items.map(entry));
    $('list-empty').hidden = items.length > 0;
    $('list-state').textContent = aduan.t('mine.count', {count: items.length});
    show('list-part');
    $('list-heading').tabIndex = -1;
    $('list-heading').focus();
  }

  $('ask-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target;
    contact = form.contact.value.trim();
    if (!contact) return aduan.showProblem(form, {status: 422, data: {errors: [{field: 'contact', code: 'required'}]}});
    const answer = await aduan.api('POST', '/reporter/codes', {body: {contact}});
    if (answer.status !== 202) return aduan.showProblem(form, answer);
    aduan.clearErrors(form);
    $('code-sent').textContent = aduan.t('mine.code_sent', {contact});
    show('code-part');
    $('code').value = '';
    $('code').focus();
  });

  $('code-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target;
    const code = form.code.value.replace(/[\s-]/g, '');
    if (!code) return aduan.showProblem(form, {status: 422, data: {errors: [{field: 'code', code: 'required'}]}});
    const answer = await aduan.api('POST', '/reporter/sessions', {body: {contact, code}});
    if (answer.status !== 201) {
      const wrong = answer.status === 422 && (answer.data.errors || []).some((e) => e.field === 'code');
      return aduan.showProblem(form, wrong ? {status: 422, data: {errors: [{field: 'code', code: 'wrong_code'}]}} : answer);
    }
    aduan.clearErrors(form);
    sessionStorage.setItem(SESSION, answer.data.session);
    await list();
  });

  $('other-contact').addEventListener('click', () => {
    show('ask-part');
    $('contact').focus();
  });
  $('sign-out').addEventListener('click', signOut);

  aduan.start(async () => {
    if (sessionStorage.getItem(SESSION)) await list();
  });
})();
