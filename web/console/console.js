'use strict';
/* What every console page shares: the catalogue (Indonesian by default, English on request), the
 * staff session (its token kept for this tab only), calls to the JSON API and small DOM helpers.
 * Every permission is the API's: the pages only show what it answers. */
const konsol = (() => {
  const root = document.documentElement;
  const assets = root.dataset.assets;
  const TOKEN = 'aduan.staff.token';
  const STAFF = 'aduan.staff.member';
  let messages = {};
  let lang = 'id';

  function chooseLanguage() {
    const asked = new URLSearchParams(location.search).get('lang');
    if (asked === 'id' || asked === 'en') {
      localStorage.setItem('aduan.lang', asked);
      return asked;
    }
    return localStorage.getItem('aduan.lang') === 'en' ? 'en' : 'id';
  }

  function t(key, vars) {
    let text = Object.prototype.hasOwnProperty.call(messages, key) ? messages[key] : key;
    for (const [name, value] of Object.entries(vars || {}))
      text = text.split('{' + name + '}').join(String(value));
    return text;
  }

  function translate(scope) {
    scope.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
    scope.querySelectorAll('[data-i18n-label]').forEach((el) => el.setAttribute('aria-label', t(el.dataset.i18nLabel)));
    scope.querySelectorAll('[data-i18n-placeholder]').forEach((el) => el.setAttribute('placeholder', t(el.dataset.i18nPlaceholder)));
  }

  function switchLanguage() {
    localStorage.setItem('aduan.lang', lang === 'id' ? 'en' : 'id');
    const url = new URL(location.href);
    url.searchParams.delete('lang');
    location.replace(url.toString());
  }

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
    return new Intl.DateTimeFormat(lang === 'id' ? 'id-ID' : 'en-GB', options).format(new Date(iso));
  }

  function timeOfDay(iso) {
    return new Intl.DateTimeFormat(lang === 'id' ? 'id-ID' : 'en-GB',
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

  /* Links to the administration pages in the header, for the roles that may use them (the API
   * still decides; a page opened without the role says so in words). */
  const ADMINS = ['national_admin', 'institution_admin'];
  const ADMIN_PAGES = [['/konsol/staf', 'staff.link', ADMINS, 'staff-link'],
    ['/konsol/webhook', 'nav.webhooks', ADMINS], ['/konsol/open311', 'nav.open311', ['national_admin']]];

  function adminLinks(staff, who) {
    for (const [href, key, roles, id] of ADMIN_PAGES) {
      if (!roles.includes(staff.role)) continue;
      const link = element('a', {href, class: 'nav-admin'}, t(key));
      if (id) link.id = id;
      if (location.pathname === href) link.setAttribute('aria-current', 'page');
      who.before(link);
    }
  }

  /* Starts a page: catalogue, header; `signedIn` pages send a visitor without a session to sign in. */
  async function start(init, signedIn) {
    lang = chooseLanguage();
    const answer = await fetch(assets + '/' + lang + '.json');
    messages = await answer.json();
    root.lang = lang;
    translate(document);
    document.title = t(root.dataset.page + '.title') + ' · ' + t('site.name');
    const button = document.getElementById('lang-switch');
    button.textContent = t('lang.other');
    button.lang = lang === 'id' ? 'en' : 'id';
    button.addEventListener('click', switchLanguage);
    const staff = session.staff();
    if (signedIn && !session.token()) {
      location.replace('/konsol');
      return;
    }
    const who = document.getElementById('who');
    if (who && staff) {
      who.textContent = t('who', {name: staff.display_name, role: t('role.' + staff.role), institution: staff.institution});
      adminLinks(staff, who);
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

  return {t, start, api, showUnread, newKey, session, dateInWords, timeOfDay, urgency, element, problemText, translate,
          language: () => lang};
})();
