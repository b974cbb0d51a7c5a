'use strict';
/* What every console page shares besides its words (i18n.js): the staff session (its token kept
 * for this tab only), calls to the JSON API, the header for the signed-in role and DOM helpers.
 * Every permission is the API's: the pages only show what it answers. */
const konsol = (() => {
  const root = document.documentElement;
  const {t} = i18n;
  const TOKEN = 'aduan.staff.token';
  const STAFF = 'aduan.staff.member';

  const session = {
    token: () => sessionStorage.getItem(TOKEN),
    staff: () => JSON.parse(sessionStorage.getItem(STAFF) || 'null'),
    keep: (answer) => {
      sessionStorage.setItem(TOKEN, answer.token);
      sessionStorage.setItem(STAFF, JSON.stringify(answer.staff));
    },
    forget: () => { sessionStorage.removeItem(TOKEN); sessionStorage.removeItem(STAFF); },
  };

  /* One call of the JSON API with the session: {status, data}. A 401 ends the session here too. */
  async function api(method, path, options) {
    const opts = options || {};
    const headers = {Accept: 'application/json, application/problem+json'};
    const token = session.token();
    if (token && !opts.anonymous) headers.Authorization = 'Bearer ' + token;
    if (opts.key) headers['Idempotency-Key'] = opts.key;
    let body;
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    try {
      const answer = await fetch('/api/v1' + path, {method, headers, body, credentials: 'omit'});
      const text = await answer.text();
      const result = {status: answer.status, data: text ? JSON.parse(text) : null};
      if (result.status === 401 && !opts.anonymous) {
        session.forget();
        location.replace('/konsol?expired=1');
      }
      return result;
    } catch (e) {
      return {status: 0, data: null};
    }
  }

  function newKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  function dateInWords(iso, withTime) {
    const options = {day: 'numeric', month: 'short', year: 'numeric', timeZone: 'Asia/Jakarta'};
    if (withTime) Object.assign(options, {hour: '2-digit', minute: '2-digit'});
    return new Intl.DateTimeFormat(i18n.locale(), options).format(new Date(iso));
  }

  function timeOfDay(iso) {
    return new Intl.DateTimeFormat(i18n.locale(),
      {hour: '2-digit', minute: '2-digit', timeZone: 'Asia/Jakarta'}).format(new Date(iso));
  }

  /* A deadline's urgency: overdue (missed or past), soon (within two days) or ok. */
  function urgency(deadline) {
    if (!deadline) return 'none';
    const left = new Date(deadline.due_at).getTime() - Date.now();
    if (deadline.missed || left < 0) return 'overdue';
    return left < 2 * 24 * 3600 * 1000 ? 'soon' : 'ok';
  }

  function element(tag, attributes, text) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) el.setAttribute(name, value);
    if (text !== undefined) el.textContent = text;
    return el;
  }

  /* The problem's words for a failed answer. */
  function problemText(answer) {
    if (answer.status === 0) return t('error.network');
    if (answer.status === 429) return t('error.rate_limited');
    if (answer.status >= 500) return t('error.unavailable');
    const problem = answer.data || {};
    const fields = (problem.errors || []).map((e) => e.field + ': ' + e.message).join('; ');
    return [problem.detail || problem.title || t('error.general'), fields].filter(Boolean).join(' — ');
  }

  async function signOut() {
    await api('DELETE', '/sessions/current');
    session.forget();
    location.replace('/konsol');
  }

  /* The inbox link in the header with the unread count: asked again on live events (live.js), or
   * every 30 s while the page is open when the gateway has no live stream. */
  async function showUnread() {
    const link = document.getElementById('inbox-link');
    const answer = await api('GET', '/inbox?unread=true&limit=1');
    if (answer.status !== 200) return;
    link.hidden = false;
    link.textContent = t('inbox.link', {n: answer.data.unread});
    link.dataset.unread = answer.data.unread;
  }

  /* The header's links for the signed-in role: a link's data-roles names the roles the gateway lets
   * open its page (none: all staff). The API still decides; a page opened without the role says so. */
  function showNav(staff) {
    const nav = document.getElementById('site-nav');
    for (const link of nav.querySelectorAll('a[href]')) {
      const roles = link.dataset.roles;
      link.hidden = Boolean(roles) && !roles.split(' ').includes(staff.role);
      if (location.pathname === link.getAttribute('href')) link.setAttribute('aria-current', 'page');
    }
    nav.hidden = false;
  }

  /* Starts a page: catalogue, header; `signedIn` pages send a visitor without a session to sign in. */
  async function start(init, signedIn) {
    await i18n.load();
    const staff = session.staff();
    if (signedIn && !session.token()) {
      location.replace('/konsol');
      return;
    }
    const who = document.getElementById('who');
    if (who && staff) {
      who.textContent = t('who', {name: staff.display_name, role: t('role.' + staff.role), institution: staff.institution});
      showNav(staff);
      document.getElementById('sign-out').hidden = false;
      document.getElementById('sign-out').addEventListener('click', signOut);
      if (document.getElementById('inbox-link')) {
        showUnread();
        if (root.dataset.page !== 'desk' && root.dataset.page !== 'inbox') setInterval(showUnread, 30000);
      }
    }
    try {
      await init(staff);
    } finally {
      document.body.dataset.ready = 'true';
    }
  }

  return {t, start, api, showUnread, newKey, session, dateInWords, timeOfDay, urgency, element, problemText, translate: i18n.translate,
          language: i18n.language};
})();
