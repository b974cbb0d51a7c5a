'use strict';
/* Administration of the reference data (/konsol/atur): holidays, routing rules, categories and
 * notification templates, each a list under a form. National admins edit them all; institution
 * admins the routing rules into their subtree, and read the rest. The API decides who may and
 * what is valid; its field errors are shown beside their fields. */
const atur = (() => {
  const t = (key, vars) => konsol.t(key, vars);

  function status(id, text) {
    document.getElementById(id).textContent = text;
  }

  /* Every field error of a 422 beside its field (data-field), the rest in the form's summary. */
  function showErrors(form, answer) {
    form.querySelectorAll('.field-error').forEach((slot) => { slot.textContent = ''; });
    form.querySelectorAll('[aria-invalid]').forEach((input) => input.removeAttribute('aria-invalid'));
    const problem = answer ? answer.data || {} : {};
    const elsewhere = [];
    let first = null;
    for (const error of (answer && problem.errors) || []) {
      const box = form.querySelector('[data-field="' + CSS.escape(error.field) + '"]');
      if (!box) {
        elsewhere.push(error.field + ': ' + error.message);
        continue;
      }
      box.querySelector('.field-error').textContent = error.message;
      const input = box.querySelector('input, select, textarea');
      input.setAttribute('aria-invalid', 'true');
      first = first || input;
    }
    const summary = form.querySelector('.form-error');
    summary.textContent = !answer ? '' : elsewhere.length || !(problem.errors || []).length
      ? konsol.problemText(answer) : '';
    if (first) first.focus();
  }

  /* The form's fields as the API's body: empty fields are left out. */
  function body(form) {
    const out = {};
    for (const input of form.querySelectorAll('input, select, textarea'))
      if (input.name && input.value.trim() !== '') out[input.name] = input.value;
    return out;
  }

  /* Submits a form to `path` (a function: an edited item's); on success says so and calls done. */
  function onSubmit(form, method, path, statusId, done) {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const answer = await konsol.api(method, typeof path === 'function' ? path() : path, {body: body(form)});
      if (answer.status === 200 || answer.status === 201) {
        showErrors(form, null);
        status(statusId, t('atur.saved'));
        await done(answer.data);
      } else {
        status(statusId, '');
        showErrors(form, answer);
      }
    });
  }

  function actionButton(label, name, run) {
    const button = konsol.element('button', {type: 'button', class: 'link', 'aria-label': label + ': ' + name}, label);
    button.addEventListener('click', run);
    return button;
  }

  /* A table row: its cells, then its action buttons (none, one or a list). */
  function row(cells, actions) {
    const tr = konsol.element('tr');
    for (const cell of cells) tr.append(konsol.element('td', {}, cell === null ? '—' : cell));
    const last = konsol.element('td', {class: 'actions'});
    last.append(...[].concat(actions || []));
    tr.append(last);
    return tr;
  }

  /* A hidden form that edits one item with PATCH: opened with the item's values (focus in its
   * first field), closed by saving or Cancel (focus back on its section's heading). */
  function editForm(formId, statusId, reload) {
    const form = document.getElementById(formId);
    let path = null;
    const close = () => {
      form.hidden = true;
      showErrors(form, null);
      const heading = form.closest('section').querySelector('h2');
      heading.tabIndex = -1;
      heading.focus();
    };
    onSubmit(form, 'PATCH', () => path, statusId, async () => {
      close();
      await reload();
    });
    form.querySelector('.cancel').addEventListener('click', close);
    return (itemPath, heading, values) => {
      path = itemPath;
      form.querySelector('h3').textContent = heading;
      for (const [name, value] of Object.entries(values)) form.elements[name].value = value;
      showErrors(form, null);
      status(statusId, '');
      form.hidden = false;
      form.querySelector('input').focus();
    };
  }

  let national = false;   /* the member edits the national data too */
  let changeRule = null, renameCategory = null;   /* editForm openers */

  /* The list of a collection into its table; false when the member may not see it. */
  async function fill(path, tableId, statusId, toRows) {
    const answer = await konsol.api('GET', path);
    if (answer.status === 403) {
      document.getElementById('atur-forbidden').hidden = false;
      return false;
    }
    if (answer.status !== 200) {
      status(statusId, konsol.problemText(answer));
      return false;
    }
    document.querySelector('#' + tableId + ' tbody').replaceChildren(...toRows(answer.data));
    return true;
  }

  async function remove(path, statusId, reload) {
    const answer = await konsol.api('DELETE', path);
    status(statusId, answer.status === 204 ? t('atur.removed') : konsol.problemText(answer));
    await reload();
  }

  async function loadHolidays() {
    return fill('/admin/holidays', 'holiday-table', 'holidays-status', (data) => data.holidays.map((h) =>
      row([h.day, h.name, t('atur.holidays.kind.' + h.kind)], national
        ? actionButton(t('atur.remove'), h.day, () => remove('/admin/holidays/' + h.day, 'holidays-status', loadHolidays))
        : null)));
  }

  async function loadRules() {
    return fill('/admin/routing-rules', 'rule-table', 'rules-status', (data) => data.rules.map((r) => {
      const name = [r.category, r.region].filter(Boolean).join(' · ');
      return row([r.category ? r.category + ' · ' + r.category_name : null,
                  r.region ? r.region + ' · ' + r.region_name : null, r.institution + ' · ' + r.institution_name],
                 [actionButton(t('atur.change'), name, () => changeRule('/admin/routing-rules/' + r.id,
                   t('atur.rules.change_heading', {rule: name}), {institution: r.institution})),
                  actionButton(t('atur.remove'), name,
                               () => remove('/admin/routing-rules/' + r.id, 'rules-status', loadRules))]);
    }));
  }

  function options(select, items, blank) {
    select.replaceChildren(...(blank ? [konsol.element('option', {value: ''}, blank)] : []),
      ...items.map(([value, label]) => konsol.element('option', {value}, label)));
  }

  /* POST .../deactivate or .../reactivate; the outcome in words. */
  async function setActive(code, verb) {
    const answer = await konsol.api('POST', '/admin/categories/' + encodeURIComponent(code) + '/' + verb);
    status('categories-status', answer.status === 200 ? t('atur.categories.' + verb + 'd') : konsol.problemText(answer));
    await loadCategories();
  }

  function categoryActions(c) {
    if (!national) return null;
    const path = '/admin/categories/' + encodeURIComponent(c.code);
    const rename = actionButton(t('atur.categories.rename'), c.code, () => renameCategory(path,
      t('atur.categories.rename_heading', {code: c.code}), {name: c.name, name_en: c.name_en}));
    const verb = c.active ? 'deactivate' : 'reactivate';
    return [rename, actionButton(t('atur.categories.' + verb), c.code, () => setActive(c.code, verb))];
  }

  async function loadCategories() {
    let groups = [];
    const shown = await fill('/admin/categories', 'category-table', 'categories-status', (data) => {
      groups = data.categories.filter((c) => !c.parent && c.active);
      return data.categories.map((c) => {
        const tr = row([c.code, c.name, c.name_en, c.active ? t('atur.categories.active') : t('atur.categories.inactive')],
                       categoryActions(c));
        if (!c.active) tr.querySelectorAll('td').forEach((td) => td.classList.add('inactive'));
        return tr;
      });
    });
    if (shown) {
      options(document.getElementById('category-parent'), groups.map((g) => [g.code, g.code + ' · ' + g.name]),
              t('atur.categories.no_parent'));
      options(document.getElementById('rule-category'), groups.map((g) => [g.code, g.code + ' · ' + g.name]),
              t('atur.rules.any'));
    }
  }

  /* Reference codes for the rule form's suggestions (the public lists of the forms). */
  async function suggestions() {
    for (const [table, id] of [['regions', 'region-codes'], ['institutions', 'institution-codes']]) {
      const answer = await konsol.api('GET', '/' + table);
      if (answer.status === 200)
        document.getElementById(id).replaceChildren(...answer.data.items.map((item) =>
          konsol.element('option', {value: item.code}, item.name)));
    }
  }

  let templates = [];

  /* The names the chosen template may use (each template its own: docs/api.md), and those it must show. */
  function showNames(found) {
    const tags = (names) => names.map((n) => '{{' + n + '}}').join(' ');
    const required = found.required_names.length ? ' ' + t('atur.templates.required') + ' ' + tags(found.required_names) : '';
    document.getElementById('template-names').textContent = t('atur.templates.names') + ' ' + tags(found.names) + required;
  }

  function showTemplate() {
    const name = document.getElementById('template-template').value;
    const language = document.getElementById('template-language').value;
    const found = templates.find((x) => x.template === name && x.language === language);
    const any = templates.find((x) => x.template === name);
    if (any) showNames(any);
    for (const field of ['subject', 'text_body', 'html_body'])
      document.getElementById('template-' + field.replace('_', '-')).value = found ? found[field] : '';
    document.getElementById('preview').hidden = true;
  }

  async function loadTemplates() {
    const answer = await konsol.api('GET', '/admin/templates');
    if (answer.status !== 200) return;
    templates = answer.data.templates;
    const select = document.getElementById('template-template');
    const chosen = select.value;
    options(select, [...new Set(templates.map((x) => x.template))].map((n) => [n, n]));
    if (chosen) select.value = chosen;
    showTemplate();
  }

  async function preview() {
    const form = document.getElementById('template-form');
    const answer = await konsol.api('POST', '/admin/template-previews', {body: body(form)});
    showErrors(form, answer.status === 200 ? null : answer);
    document.getElementById('preview').hidden = answer.status !== 200;
    if (answer.status !== 200) return;
    document.getElementById('preview-subject').textContent = answer.data.subject;
    document.getElementById('preview-text').textContent = answer.data.text_body;
    document.getElementById('preview-html').textContent = answer.data.html_body;
  }

  /* Institution admins: the national data without its forms and buttons. */
  function readOnly() {
    document.getElementById('atur-readonly').hidden = false;
    for (const id of ['holiday-form', 'category-form', 'template-buttons']) document.getElementById(id).hidden = true;
    for (const field of document.querySelectorAll('#template-form input, #template-form textarea')) field.readOnly = true;
  }

  async function init(staff) {
    national = staff && staff.role === 'national_admin';
    if (!national) readOnly();
    changeRule = editForm('rule-change-form', 'rules-status', loadRules);
    renameCategory = editForm('category-rename-form', 'categories-status', loadCategories);
    options(document.getElementById('holiday-kind'),
            ['national', 'joint_leave'].map((k) => [k, t('atur.holidays.kind.' + k)]));
    options(document.getElementById('template-language'), [['id', 'Bahasa Indonesia'], ['en', 'English']]);
    onSubmit(document.getElementById('holiday-form'), 'POST', '/admin/holidays', 'holidays-status', async () => {
      document.getElementById('holiday-form').reset();
      await loadHolidays();
    });
    onSubmit(document.getElementById('rule-form'), 'POST', '/admin/routing-rules', 'rules-status', async () => {
      document.getElementById('rule-form').reset();
      await loadRules();
    });
    onSubmit(document.getElementById('category-form'), 'POST', '/admin/categories', 'categories-status', async () => {
      document.getElementById('category-form').reset();
      await loadCategories();
    });
    onSubmit(document.getElementById('template-form'), 'POST', '/admin/templates', 'templates-status', loadTemplates);
    document.getElementById('template-template').addEventListener('change', showTemplate);
    document.getElementById('template-language').addEventListener('change', showTemplate);
    document.getElementById('template-preview').addEventListener('click', preview);
    if (!await loadHolidays()) return;
    await Promise.all([loadRules(), loadCategories(), loadTemplates(), suggestions()]);
  }

  return {init};
})();

konsol.start(atur.init, true);
