'use strict';
/* The public list and map: the filters live in the page's URL (a search can be shared or
 * bookmarked), each page of GET /api/v1/reports is shown as a list and as pins on a map that is
 * optional (with no tiles the pins still show, on a blank background). */
aduan.start(async () => {
  const $ = (id) => document.getElementById(id);
  const form = $('filter-form');
  const PAGE = 20;
  const FILTERS = ['q', 'category', 'region', 'status', 'from', 'to'];
  const [config, categories, regions] = await Promise.all([
    fetch('/web-config.json').then((r) => r.json()).catch(() => ({tile_url: ''})),
    aduan.reference('categories'), aduan.reference('regions')]);

  aduan.fillCategories($('category'), categories, aduan.t('list.any_category'));
  const regionNames = aduan.regionNames(regions, $('region-names'));
  const regionCode = () => regionNames.code(form.region.value);

  let map = null, pins = null;
  if (window.L) {
    map = window.L.map('map', {center: [1.08, 104.03], zoom: 10, attributionControl: !!config.tile_url});
    pins = window.L.layerGroup().addTo(map);
    if (config.tile_url) {
      let failed = false;
      window.L.tileLayer(config.tile_url, {maxZoom: 19, attribution: config.tile_attribution || ''})
        .on('tileerror', () => {
          if (failed) return;
          failed = true;
          $('map-state').textContent = aduan.t('list.tiles_unavailable');
        }).addTo(map);
    } else {
      $('map-state').textContent = aduan.t('list.tiles_unavailable');
    }
  } else {
    $('map').hidden = true;
    $('map-state').textContent = aduan.t('list.map_unavailable');
  }

  const params = new URLSearchParams(location.search);
  /* Pages follow the answer's `next` cursor (a deep page costs what the first does); the cursors
   * of the pages before are kept to go back. The page's URL keeps the filters only; an older link
   * may still carry an offset. */
  let offset = Math.max(0, parseInt(params.get('offset') || '0', 10) || 0);
  let after = '', next = '';
  const back = [];
  for (const name of FILTERS) if (params.get(name)) form[name].value = params.get(name);
  if (params.get('region')) form.region.value = regionNames.name(params.get('region')) || params.get('region');

  function query() {
    const q = new URLSearchParams();
    for (const name of FILTERS) {
      const value = name === 'region' ? (regionCode() || form.region.value.trim()) : form[name].value.trim();
      if (value) q.set(name, value);
    }
    return q;
  }

  function item(report) {
    const li = aduan.element('li', {class: 'result', 'data-tracking-id': report.tracking_id});
    const heading = aduan.element('h3');
    heading.append(aduan.element('a', {href: '/lapor/' + encodeURIComponent(report.tracking_id)}, report.title));
    li.append(heading);
    const category = aduan.language() === 'en' ? report.category.name_en : report.category.name;
    li.append(aduan.element('p', {class: 'meta'}, [aduan.t('bucket.' + report.status), category, report.region.name,
      aduan.dateInWords(report.submitted_at), aduan.t('support.count', {count: report.supports})].join(' · ')));
    li.append(aduan.element('p', {class: 'body-text'}, report.summary));
    li.append(listFollow.part(report));
    return li;
  }

  function showPins(items) {
    if (!pins) return;
    pins.clearLayers();
    const placed = [];
    for (const report of items) {
      if (!report.location) continue;
      const at = [report.location.lat, report.location.lon];
      const pin = window.L.circleMarker(at, {radius: 8, color: '#0b4f8a', weight: 3});
      const link = aduan.element('a', {href: '/lapor/' + encodeURIComponent(report.tracking_id)}, report.title);
      pin.bindPopup(link);
      pins.addLayer(pin);
      placed.push(at);
    }
    if (placed.length) map.fitBounds(placed, {maxZoom: 15, padding: [20, 20]});
    $('map').dataset.pins = String(placed.length);
  }

  async function load() {
    aduan.clearErrors(form);
    const q = query();
    q.set('limit', String(PAGE));
    if (after) q.set('after', after);
    else if (offset) q.set('offset', String(offset));
    const answer = await aduan.api('GET', '/reports?' + q.toString());
    const list = $('results');
    list.replaceChildren();
    if (answer.status !== 200) {
      aduan.showProblem(form, answer);
      $('result-count').textContent = '';
      return;
    }
    const items = answer.data.items;
    for (const report of items) list.append(item(report));
    const first = offset + back.length * PAGE;
    $('result-count').textContent = items.length
      ? aduan.t('list.showing', {first: first + 1, last: first + items.length}) : aduan.t('list.none');
    next = answer.data.next || '';
    $('previous').hidden = first === 0;
    $('next').hidden = !answer.data.has_more;
    showPins(items);
    q.delete('limit');
    q.delete('offset');
    q.delete('after');
    history.replaceState(null, '', '/laporan' + (q.toString() ? '?' + q.toString() : ''));
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    offset = 0;
    after = '';
    back.length = 0;
    load();
  });
  $('previous').addEventListener('click', () => {
    if (back.length) after = back.pop();
    else offset = Math.max(0, offset - PAGE);
    load();
  });
  $('next').addEventListener('click', () => {
    if (!next) return;
    back.push(after);
    after = next;
    load();
  });
  await load();
});
