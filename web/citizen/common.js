'use strict';
/* What every citizen page shares besides its words (i18n.js): calls to the JSON API, the reporter
 * tokens this browser keeps, and problem+json errors shown beside the fields they name. */
const aduan = (() => {
  const {t} = i18n;

  async function start(init) {
    await i18n.load();
    try {
      await init();
    } finally {
      document.body.dataset.ready = 'true';
    }
  }

  /* One call of the JSON API: {status, data} (data: the parsed body, or null). */
  async function api(method, path, options) {
    const opts = options || {};
    const headers = {Accept: 'application/json, application/problem+json'};
    if (opts.token) headers.Authorization = 'Bearer ' + opts.token;
    if (opts.key) headers['Idempotency-Key'] = opts.key;
    let body;
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    try {
      const answer = await fetch('/api/v1' + path, {method, headers, body, credentials: 'omit'});
      const text = await answer.text();
      return {status: answer.status, data: text ? JSON.parse(text) : null};
    } catch (e) {
      return {status: 0, data: null};
    }
  }

  /* One file to a report's attachments (multipart, field "file"), with the reporter token. */
  async function upload(trackingId, token, file) {
    const form = new FormData();
    form.append('file', file, file.name);
    try {
      const answer = await fetch('/api/v1/reports/' + encodeURIComponent(trackingId) + '/attachments',
                                 {method: 'POST', headers: {Authorization: 'Bearer ' + token}, body: form, credentials: 'omit'});
      const text = await answer.text();
      return {status: answer.status, data: text ? JSON.parse(text) : null};
    } catch (e) {
      return {status: 0, data: null};
    }
  }

  /* A report's file as a blob: URL (the token travels in a header, which an <img src> cannot
   * send); null when it is not served to us. */
  async function fileUrl(trackingId, token, number, thumbnail) {
    const headers = token ? {Authorization: 'Bearer ' + token} : {};
    const path = '/api/v1/reports/' + encodeURIComponent(trackingId) + '/attachments/' + number + (thumbnail ? '?size=thumbnail' : '');
    try {
      const answer = await fetch(path, {headers, credentials: 'omit'});
      if (answer.status !== 200) return null;
      const blob = await answer.blob();
      return {url: URL.createObjectURL(blob), type: blob.type};
    } catch (e) {
      return null;
    }
  }

  /* The problem of an upload as one line: the field error's text in the catalogue, or the detail. */
  function uploadReason(answer) {
    const problem = answer.data || {};
    const error = (problem.errors || [])[0];
    if (error) return t('error.' + error.code) + (error.message ? ' — ' + error.message : '');
    if (answer.status === 413) return t('files.too_large', {name: ''}).trim();
    return problem.detail || t('error.unavailable');
  }

  function newKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  const tokenKey = (id) => 'aduan.token.' + id;
  const tokens = {
    get: (id) => localStorage.getItem(tokenKey(id)),
    remember: (id, token) => localStorage.setItem(tokenKey(id), token),
    forget: (id) => localStorage.removeItem(tokenKey(id)),
  };

  /* A date in words in the page's language and Jakarta's time zone: "12 Desember 2026". */
  function dateInWords(iso, withTime) {
    const options = {day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Asia/Jakarta'};
    if (withTime) Object.assign(options, {hour: '2-digit', minute: '2-digit'});
    return new Intl.DateTimeFormat(i18n.locale(), options).format(new Date(iso));
  }

  function clearErrors(form) {
    form.querySelectorAll('.field-error').forEach((el) => { el.textContent = ''; });
    form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
    const summary = form.querySelector('.form-error');
    if (summary) summary.textContent = '';
  }

  /* Shows an API answer that is not a success: each field error beside its field (data-field names
   * the API's field, e.g. "reporter.email"), everything else in the form's summary. */
  function showProblem(form, answer) {
    clearErrors(form);
    const problem = answer.data || {};
    const unplaced = [];
    let first = null;
    for (const error of problem.errors || []) {
      const field = form.querySelector('[data-field="' + CSS.escape(error.field) + '"]');
      if (!field) {
        unplaced.push(error.message);
        continue;
      }
      const message = t('error.' + error.code, {field: error.field});
      const slot = field.querySelector('.field-error');
      slot.textContent = slot.textContent ? slot.textContent + ' ' + message : message;
      const input = field.querySelector('input, select, textarea');
      if (input) {
        input.setAttribute('aria-invalid', 'true');
        first = first || input;
      }
    }
    const summary = form.querySelector('.form-error');
    let general = '';
    if (answer.status === 0) general = t('error.network');
    else if (answer.status === 429) general = t('error.rate_limited');
    else if (answer.status >= 500) general = t('error.unavailable');
    else if (!(problem.errors || []).length || unplaced.length) general = t('error.general') + (problem.detail ? ' (' + problem.detail + ')' : '');
    summary.textContent = general;
    if (first) first.focus();
    else summary.focus();
  }

  function element(tag, attributes, text) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) el.setAttribute(name, value);
    if (text !== undefined) el.textContent = text;
    return el;
  }

  /* Reference lists (categories, regions, institutions) by code. */
  async function reference(table) {
    const answer = await api('GET', '/' + table);
    const byCode = new Map();
    for (const item of (answer.data && answer.data.items) || []) byCode.set(item.code, item);
    return byCode;
  }

  /* The category tree as <optgroup>s of `select`, after a first option `firstLabel` (value ""). */
  function fillCategories(select, categories, firstLabel) {
    select.append(element('option', {value: ''}, firstLabel));
    for (const group of categories.values()) {
      if (group.parent_code) continue;
      const optgroup = element('optgroup', {label: group.name});
      optgroup.append(element('option', {value: group.code}, t('submit.category_general', {name: group.name})));
      for (const sub of categories.values())
        if (sub.parent_code === group.code) optgroup.append(element('option', {value: sub.code}, sub.name));
      select.append(optgroup);
    }
  }

  /* Region names as people type them, "Kecamatan Batam Kota, Kota Batam", offered in `datalist`:
   * {code(typed): the code, or null when the name is unknown or ambiguous; name(code)}. */
  function regionNames(regions, datalist) {
    const byName = new Map(), ofCode = new Map();
    for (const region of regions.values()) {
      const parent = regions.get(region.parent_code);
      const name = parent ? region.name + ', ' + parent.name : region.name;
      byName.set(name.toLowerCase(), region.code);
      ofCode.set(region.code, name);
      datalist.append(element('option', {value: name}));
    }
    function code(typed) {
      const wanted = typed.trim().toLowerCase();
      if (byName.has(wanted)) return byName.get(wanted);
      const matches = [...byName.keys()].filter((name) => name.split(',')[0] === wanted);
      return matches.length === 1 ? byName.get(matches[0]) : null;
    }
    return {code, name: (regionCode) => ofCode.get(regionCode)};
  }

  return {t, start, api, upload, fileUrl, uploadReason, newKey, tokens, dateInWords, clearErrors, showProblem, element, reference,
          fillCategories, regionNames, language: i18n.language};
})();
