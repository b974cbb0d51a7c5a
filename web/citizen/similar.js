'use strict';
/* "Support this one instead" on the submission form: once the title and text say enough, open
 * reports of the last 90 days with similar words (near the pin when there is one) are offered,
 * each linking to its page, where it can be supported instead of sent again. */
const similarReports = (() => {
  const $ = (id) => document.getElementById(id);
  const MIN_TEXT = 12;
  let asked = '';

  async function refresh(form) {
    const field = (name) => form.elements.namedItem(name).value;   /* form.title is the form's own title */
    const text = (field('title') + ' ' + field('body')).trim().slice(0, 200);
    const lat = parseFloat(field('lat')), lon = parseFloat(field('lon'));
    const q = new URLSearchParams({similar: text});
    if (Number.isFinite(lat) && Number.isFinite(lon)) {
      q.set('lat', String(lat));
      q.set('lon', String(lon));
    }
    if (text.length < MIN_TEXT || q.toString() === asked) return;
    asked = q.toString();
    const answer = await aduan.api('GET', '/reports?' + asked);
    const items = answer.status === 200 ? answer.data.items : [];
    const list = $('similar');
    list.replaceChildren();
    for (const report of items) {
      const li = aduan.element('li', {'data-tracking-id': report.tracking_id});
      li.append(aduan.element('a', {href: '/lapor/' + encodeURIComponent(report.tracking_id)},
                              aduan.t('similar.support', {title: report.title})));
      li.append(aduan.element('span', {class: 'meta'}, ' · ' + aduan.t('bucket.' + report.status) + ' · '
                              + aduan.t('support.count', {count: report.supports})));
      list.append(li);
    }
    $('similar-part').hidden = items.length === 0;
  }

  function watch(form) {
    for (const name of ['title', 'body', 'lat', 'lon'])
      form.elements.namedItem(name).addEventListener('change', () => refresh(form));
  }

  return {watch};
})();
