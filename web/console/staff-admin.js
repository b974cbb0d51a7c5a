'use strict';
/* Administration of staff (admins): the accounts of the admin's subtree (GET /staff), a new account,
 * deactivate/reactivate, a password reset (a made password is shown once) and a change of role or
 * institution. Every change is confirmed first; its answer is shown at once in the notice. The
 * scope is the API's: this page only shows what it answers. */
const ROLES = ['national_admin', 'institution_admin', 'unit_liaison', 'analyst'];
const PAGE = 50;
let offset = 0;

function roleOptions(select, blank) {
  select.replaceChildren();
  if (blank) select.append(konsol.element('option', {value: ''}, blank));
  for (const role of ROLES) select.append(konsol.element('option', {value: role}, konsol.t('role.' + role)));
}

function tell(text, failed) {
  document.getElementById('staff-notice').textContent = failed ? '' : text;
  document.getElementById('staff-error').textContent = failed ? text : '';
}

async function change(path, body, done) {
  const answer = await konsol.api('POST', path, {body});
  if (answer.status !== 200) {
    tell(konsol.problemText(answer), true);
    return null;
  }
  tell(done(answer.data), false);
  await load();
  return answer.data;
}

function act(member, kind) {
  const name = member.username;
  if (!confirm(konsol.t('staff.confirm.' + kind, {name}))) return;
  if (kind === 'deactivate' || kind === 'reactivate')
    change('/staff/' + name + '/' + kind, undefined, () => konsol.t('staff.done.' + kind, {name}));
  else
    change('/staff/' + name + '/password', {}, (doc) => konsol.t('staff.done.password', {name, password: doc.password}));
}

function openRoleForm(member) {
  const form = document.getElementById('role-form');
  form.hidden = false;
  form.dataset.username = member.username;
  document.getElementById('role-heading').textContent = konsol.t('staff.change_for', {name: member.username});
  form.role.value = member.role;
  form.institution.value = member.institution;
  form.role.focus();
}

function button(text, handler) {
  const b = konsol.element('button', {type: 'button'}, text);
  b.addEventListener('click', handler);
  return b;
}

function row(member, me) {
  const tr = konsol.element('tr', {'data-username': member.username});
  const actions = konsol.element('td', {class: 'actions'});
  if (member.username !== me) {
    const toggle = member.active ? 'deactivate' : 'reactivate';
    actions.append(button(konsol.t('staff.' + toggle), () => act(member, toggle)), ' ',
      button(konsol.t('staff.reset'), () => act(member, 'password')), ' ',
      button(konsol.t('staff.change'), () => openRoleForm(member)));
  }
  tr.append(konsol.element('td', {class: 'code'}, member.username), konsol.element('td', {}, member.display_name),
    konsol.element('td', {}, konsol.t('role.' + member.role)), konsol.element('td', {class: 'code'}, member.institution),
    konsol.element('td', {}, konsol.t(member.active ? 'staff.active' : 'staff.inactive')), actions);
  return tr;
}

async function load() {
  const form = document.getElementById('staff-filters');
  const params = new URLSearchParams({limit: String(PAGE), offset: String(offset)});
  for (const name of ['institution', 'role', 'active']) if (form[name].value) params.set(name, form[name].value);
  const answer = await konsol.api('GET', '/staff?' + params.toString());
  if (answer.status !== 200) {
    tell(konsol.problemText(answer), true);
    return;
  }
  const me = (konsol.session.staff() || {}).username;
  document.getElementById('staff-rows').replaceChildren(...answer.data.items.map((m) => row(m, me)));
  document.getElementById('staff-count').textContent = konsol.t('staff.count', {total: answer.data.total});
  document.getElementById('staff-prev').disabled = offset === 0;
  document.getElementById('staff-next').disabled = offset + PAGE >= answer.data.total;
}

function showFieldErrors(form, problem) {
  form.querySelectorAll('.form-error').forEach((el) => { el.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
  let first = null;
  for (const e of (problem && problem.errors) || []) {
    const slot = document.getElementById('c-' + e.field + '-error');
    if (!slot) continue;
    slot.textContent = e.message;
    form[e.field].setAttribute('aria-invalid', 'true');
    first = first || form[e.field];
  }
  return first;
}

async function create(form) {
  const body = {};
  for (const name of ['username', 'display_name', 'role', 'institution', 'password', 'email'])
    if (form[name].value.trim() !== '') body[name] = form[name].value.trim();
  const answer = await konsol.api('POST', '/staff', {body});
  const first = showFieldErrors(form, answer.status === 201 ? null : answer.data);
  if (answer.status !== 201) {
    tell(konsol.problemText(answer), true);
    if (first) first.focus();
    return;
  }
  tell(konsol.t('staff.done.create', {name: answer.data.username}), false);
  form.reset();
  await load();
}

konsol.start(async (staff) => {
  const filters = document.getElementById('staff-filters');
  roleOptions(filters.role, konsol.t('desk.any'));
  roleOptions(document.getElementById('r-role'));
  roleOptions(document.getElementById('c-role'));
  const isAdmin = staff && (staff.role === 'national_admin' || staff.role === 'institution_admin');
  if (!isAdmin) {
    tell(konsol.t('staff.admins_only'), true);
    return;
  }
  filters.addEventListener('submit', (event) => { event.preventDefault(); offset = 0; load(); });
  document.getElementById('staff-prev').addEventListener('click', () => { offset = Math.max(0, offset - PAGE); load(); });
  document.getElementById('staff-next').addEventListener('click', () => { offset += PAGE; load(); });
  const roleForm = document.getElementById('role-form');
  roleForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = roleForm.dataset.username;
    if (!confirm(konsol.t('staff.confirm.role', {name}))) return;
    change('/staff/' + name + '/role', {role: roleForm.role.value, institution: roleForm.institution.value.trim()},
      () => konsol.t('staff.done.role', {name})).then((done) => { if (done) roleForm.hidden = true; });
  });
  document.getElementById('role-cancel').addEventListener('click', () => { roleForm.hidden = true; });
  const createForm = document.getElementById('create-form');
  createForm.addEventListener('submit', (event) => { event.preventDefault(); create(createForm); });
  await load();
}, true);
