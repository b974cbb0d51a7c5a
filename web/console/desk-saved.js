'use strict';
/* Saved desk filters (GET|POST /desk/filters, DELETE /desk/filters/{id}): the member saves the
 * filters of the desk's form under a name, sees each saved set with the number of reports it
 * selects now, applies one (the desk's URL with its filters) and deletes it. Started by desk.js
 * once the catalogue is loaded. */
function currentFilters() {
  return Object.fromEntries(query(document.getElementById('filters')));
}

async function countOf(filters, slot) {
  const params = new URLSearchParams(filters);
  params.set('limit', '1');
  const answer = await konsol.api('GET', '/staff/reports?' + params.toString());
  if (answer.status === 200) slot.textContent = konsol.t('saved.count', {n: answer.data.total});
}

function savedItem(item) {
  const li = konsol.element('li');
  const link = konsol.element('a', {href: '/konsol/meja?' + new URLSearchParams(item.filters).toString()}, item.name);
  const count = konsol.element('span', {class: 'saved-count'});
  const remove = konsol.element('button', {type: 'button', class: 'link',
    'aria-label': konsol.t('saved.delete_named', {name: item.name})}, konsol.t('saved.delete'));
  remove.addEventListener('click', async () => {
    if (!confirm(konsol.t('saved.confirm_delete', {name: item.name}))) return;
    const answer = await konsol.api('DELETE', '/desk/filters/' + item.id);
    savedNotice(answer.status === 204 ? konsol.t('saved.deleted', {name: item.name}) : konsol.problemText(answer));
    await loadSaved();
  });
  li.append(link, ' ', count, ' ', remove);
  countOf(item.filters, count);
  return li;
}

function savedNotice(text) {
  document.getElementById('saved-notice').textContent = text;
}

async function loadSaved() {
  const answer = await konsol.api('GET', '/desk/filters');
  if (answer.status !== 200) {
    savedNotice(konsol.problemText(answer));
    return;
  }
  document.getElementById('saved-list').replaceChildren(...answer.data.items.map(savedItem));
  document.getElementById('saved-empty').hidden = answer.data.items.length > 0;
}

async function startSavedFilters() {
  const form = document.getElementById('saved-form');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = form.name.value.trim();
    const answer = await konsol.api('POST', '/desk/filters', {body: {name, filters: currentFilters()}});
    savedNotice(answer.status === 201 ? konsol.t('saved.saved', {name}) : konsol.problemText(answer));
    if (answer.status === 201) form.reset();
    await loadSaved();
  });
  await loadSaved();
}
