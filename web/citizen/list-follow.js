'use strict';
/* "Ikuti" beside each report of the public list: a button that opens a small form under the
 * report for an e-mail address, sent through the report page's flow (follow.js: the server mails a
 * confirmation first, double opt-in). Escape closes the form and gives the focus back. */
const listFollow = (() => {
  let made = 0;

  function emailField(id) {
    const field = aduan.element('div', {class: 'field', 'data-field': 'email'});
    field.append(aduan.element('label', {for: id + '-email'}, aduan.t('follow.email')),
                 aduan.element('input', {type: 'email', id: id + '-email', name: 'email', autocomplete: 'email',
                                         required: '', 'aria-describedby': id + '-hint ' + id + '-error'}),
                 aduan.element('p', {class: 'field-error', id: id + '-error'}));
    return field;
  }

  /* The part for one report of the list. */
  function part(report) {
    const id = 'list-follow-' + (++made);
    const toggle = aduan.element('button', {type: 'button', class: 'list-follow-toggle', 'aria-expanded': 'false',
                                            'aria-controls': id,
                                            'aria-label': aduan.t('list.follow_label', {title: report.title})},
                                 aduan.t('follow.button'));
    const form = aduan.element('form', {id: id, class: 'list-follow', novalidate: '', hidden: ''});
    form.append(aduan.element('p', {class: 'form-error', role: 'alert', tabindex: '-1'}),
                aduan.element('p', {class: 'hint', id: id + '-hint'}, aduan.t('list.follow_explain')),
                emailField(id), aduan.element('button', {type: 'submit'}, aduan.t('list.follow_send')));
    const state = aduan.element('p', {role: 'status', class: 'list-follow-state'});
    const open = (opened) => {
      form.hidden = !opened;
      toggle.setAttribute('aria-expanded', String(opened));
      (opened ? form.elements.email : toggle).focus();
    };
    toggle.addEventListener('click', () => open(form.hidden));
    form.addEventListener('keydown', (event) => { if (event.key === 'Escape') open(false); });
    followPart.wire(form, report.tracking_id, state);
    const wrap = aduan.element('div', {class: 'list-follow-part'});
    wrap.append(toggle, form, state);
    return wrap;
  }

  return {part};
})();
