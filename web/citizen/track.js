'use strict';
/* A report's page: the public view for everyone; with the reporter's token (kept in this browser
 * from the submission, or from the link's #token=…) the private parts, replying, adding data, and
 * the satisfaction survey once the report is closed. */
aduan.start(async () => {
  const $ = (id) => document.getElementById(id);
  const id = decodeURIComponent(location.pathname.split('/')[2] || '');
  const fromLink = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromLink) {
    aduan.tokens.remember(id, fromLink);
    history.replaceState(null, '', location.pathname + location.search);
  }
  const [institutions, categories, regions] = await Promise.all(
    ['institutions', 'categories', 'regions'].map((table) => aduan.reference(table)));
  const nameOf = (map, code) => (map.get(code) ? map.get(code).name : code);
  let replyKey = aduan.newKey();

  function showSteps(actions) {
    const list = $('steps');
    list.replaceChildren();
    for (const step of actions) {
      const item = aduan.element('li');
      item.append(aduan.element('span', {class: 'when'}, aduan.dateInWords(step.at, true)));
      item.append(aduan.element('strong', {}, aduan.t('action.' + step.action)));
      if (step.institution) item.append(aduan.element('span', {}, nameOf(institutions, step.institution)));
      if (step.note) item.append(aduan.element('p', {class: 'body-text'}, step.note));
      list.append(item);
    }
  }

  /* Thumbnails of the photos (each a link to the full picture) and links to the PDFs. */
  async function showFiles(view) {
    const list = $('files');
    list.replaceChildren();
    $('files-part').hidden = !view.attachment_count;
    const token = aduan.tokens.get(id);
    for (let n = 1; n <= (view.attachment_count || 0); n++) {
      const thumb = await aduan.fileUrl(id, token, n, true);
      if (!thumb) continue;
      const item = aduan.element('li');
      if (thumb.type === 'application/pdf') {
        item.append(aduan.element('a', {href: thumb.url, download: id + '-' + n + '.pdf'}, aduan.t('files.pdf', {n})));
      } else {
        const link = aduan.element('a', {href: '#', 'data-number': String(n)});
        link.append(aduan.element('img', {src: thumb.url, alt: aduan.t('files.item', {n})}));
        link.addEventListener('click', async (event) => {
          event.preventDefault();
          const full = await aduan.fileUrl(id, token, n, false);
          if (full) window.open(full.url, '_blank', 'noopener');
        });
        item.append(link);
      }
      list.append(item);
    }
  }

  function showReporter(view) {
    const facts = $('reporter-facts');
    facts.replaceChildren();
    const reporter = view.reporter || {};
    for (const key of ['name', 'email', 'phone']) {
      if (!reporter[key]) continue;
      facts.append(aduan.element('dt', {}, aduan.t('submit.' + key)), aduan.element('dd', {}, reporter[key]));
    }
    const privacy = [view.anonymous && aduan.t('submit.anonymous'), view.confidential && aduan.t('submit.confidential')];
    facts.append(aduan.element('dt', {}, aduan.t('track.privacy')),
                 aduan.element('dd', {}, privacy.filter(Boolean).join(', ') || aduan.t('track.privacy_none')));
    $('reporter-part').hidden = false;
  }

  /* What the reporter may do now: reply when asked, add data when postponed, rate when closed. */
  function showActions(view) {
    const action = {in_process: 'reply', postponed: 'add_data'}[view.status];
    $('reply-part').hidden = !action;
    if (action) {
      $('reply-heading').textContent = aduan.t('track.' + action + '_heading');
      $('reply-form').dataset.action = action;
    }
    $('survey-part').hidden = view.public_status !== 'completed';
  }

  function show(view) {
    const mine = view.reporter_view === true;
    $('report').hidden = false;
    $('report-title').textContent = view.title || aduan.t('track.heading');
    $('tracking-id').textContent = view.tracking_id;
    $('status').textContent = aduan.t('bucket.' + view.public_status);
    $('status').dataset.bucket = view.public_status;
    $('institution').textContent = view.institution ? nameOf(institutions, view.institution) : aduan.t('track.no_institution');
    $('category').textContent = nameOf(categories, view.category);
    $('region').textContent = nameOf(regions, view.region);
    $('submitted').textContent = aduan.dateInWords(view.submitted_at);
    /* A clock is due at midnight (Jakarta) after its last working day: that day is the one to name. */
    const deadline = view.deadline;
    $('deadline').textContent = deadline
      ? aduan.t('deadline.' + deadline.kind, {date: aduan.dateInWords(new Date(Date.parse(deadline.due_at) - 1))})
      : '';
    $('deadline').hidden = $('deadline-label').hidden = !deadline;
    $('next-step').textContent = aduan.t('next.' + view.status);
    $('hidden-content').hidden = !view.content_hidden;
    $('content').hidden = !!view.content_hidden;
    $('body').textContent = view.body || '';
    $('address').textContent = view.location && view.location.address ? view.location.address : '';
    showSteps(view.actions || []);
    showFiles(view);
    $('token-part').hidden = mine;
    $('forget-part').hidden = !mine;
    if (mine) {
      $('add-file-part').hidden = (view.attachment_count || 0) >= 5 || view.public_status === 'completed'
        || view.public_status === 'archived';
      showReporter(view);
      showActions(view);
    } else {
      $('reporter-part').hidden = $('reply-part').hidden = $('survey-part').hidden = true;
      $('add-file-part').hidden = true;
    }
  }

  async function load() {
    const answer = await aduan.api('GET', '/reports/' + encodeURIComponent(id), {token: aduan.tokens.get(id)});
    if (answer.status !== 200) {
      $('load-error').textContent = aduan.t(answer.status === 404 ? 'track.not_found' : 'error.unavailable');
      $('load-error').hidden = false;
      return null;
    }
    show(answer.data);
    return answer.data;
  }

  function buildSurvey() {
    const items = $('survey-items');
    for (let i = 1; i <= 9; i++) {
      const field = aduan.element('div', {class: 'field'});
      const select = aduan.element('select', {id: 'u' + i, name: 'u' + i});
      field.append(aduan.element('label', {for: 'u' + i}, aduan.t('survey.u' + i)), select);
      select.append(aduan.element('option', {value: ''}, aduan.t('survey.skip')));
      for (let score = 4; score >= 1; score--)
        select.append(aduan.element('option', {value: String(score)}, aduan.t('survey.score' + score)));
      items.append(field);
    }
  }

  $('token-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target;
    const token = form.token.value.trim();
    if (!token) return aduan.showProblem(form, {status: 422, data: {errors: [{field: 'token', code: 'required'}]}});
    aduan.tokens.remember(id, token);
    const view = await load();
    if (view && view.reporter_view !== true) {
      aduan.tokens.forget(id);
      aduan.showProblem(form, {status: 422, data: {errors: [{field: 'token', code: 'wrong_token'}]}});
    }
  });

  $('forget').addEventListener('click', async () => {
    aduan.tokens.forget(id);
    await load();
    $('token').focus();
  });

  $('reply-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target;
    const note = form.note.value.trim();
    if (!note) return aduan.showProblem(form, {status: 422, data: {errors: [{field: 'note', code: 'required'}]}});
    const answer = await aduan.api('POST', '/reports/' + encodeURIComponent(id) + '/actions',
                                   {token: aduan.tokens.get(id), key: replyKey, body: {action: form.dataset.action, note}});
    if (answer.status !== 200) return aduan.showProblem(form, answer);
    replyKey = aduan.newKey();
    form.reset();
    aduan.clearErrors(form);
    await load();
    $('steps-heading').focus();
  });

  $('file-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target;
    const file = form.file.files[0];
    if (!file) return aduan.showProblem(form, {status: 422, data: {errors: [{field: 'file', code: 'required'}]}});
    if (file.size > 10 * 1024 * 1024)
      return aduan.showProblem(form, {status: 413, data: {errors: [{field: 'file', code: 'too_long'}]}});
    const answer = await aduan.upload(id, aduan.tokens.get(id), file);
    if (answer.status !== 201) return aduan.showProblem(form, answer);
    form.reset();
    aduan.clearErrors(form);
    await load();
    $('files-heading').focus();
  });

  $('survey-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target;
    const answers = [];
    for (let i = 1; i <= 9; i++) answers.push(form['u' + i].value ? Number(form['u' + i].value) : null);
    const answer = await aduan.api('POST', '/reports/' + encodeURIComponent(id) + '/survey',
                                   {token: aduan.tokens.get(id), body: {answers}});
    if (answer.status === 201 || (answer.data && /survey-answered$/.test(answer.data.type || ''))) {
      form.replaceChildren(aduan.element('p', {class: 'notice', role: 'status'}, aduan.t('survey.thanks')));
      return;
    }
    aduan.showProblem(form, answer);
  });

  $('steps-heading').tabIndex = -1;
  $('files-heading').tabIndex = -1;
  buildSurvey();
  const view = await load();
  await supportPart.show(id);
  /* Followed like it is supported: only a report of the public list. */
  if (view && !view.confidential && ['not_yet_followed_up', 'in_process', 'completed'].includes(view.public_status))
    followPart.show(id);
});
