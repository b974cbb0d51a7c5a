'use strict';
/* The submission form: reference lists for the category tree and the region typed by name, a pin
 * on a map that is optional (the form works with no tiles, or no map at all), one Idempotency-Key
 * per form, errors beside their fields, and the tracking id and reporter token shown once. */
aduan.start(async () => {
  const $ = (id) => document.getElementById(id);
  const form = $('report-form');
  const key = aduan.newKey();
  const [config, categories, regions] = await Promise.all([
    fetch('/web-config.json').then((r) => r.json()).catch(() => ({tile_url: ''})),
    aduan.reference('categories'), aduan.reference('regions')]);

  aduan.fillCategories($('category'), categories, aduan.t('submit.choose'));
  const regionNames = aduan.regionNames(regions, $('region-names'));
  const regionCode = () => regionNames.code(form.region.value);

  let pin = null;
  let map = null;
  function placePin(lat, lon, fromMap) {
    if (!map) return;
    if (pin) pin.setLatLng([lat, lon]);
    else pin = window.L.circleMarker([lat, lon], {radius: 9, color: '#0b4f8a', weight: 3}).addTo(map);
    if (fromMap) {
      form.lat.value = lat.toFixed(6);
      form.lon.value = lon.toFixed(6);
    }
    $('map-state').textContent = aduan.t('submit.pin_placed', {lat: lat.toFixed(5), lon: lon.toFixed(5)});
  }

  function startMap() {
    if (!window.L) {
      $('map').hidden = true;
      $('map-state').textContent = aduan.t('submit.map_unavailable');
      return;
    }
    map = window.L.map('map', {center: [1.08, 104.03], zoom: 11, attributionControl: !!config.tile_url});
    if (config.tile_url) {
      let failed = false;
      window.L.tileLayer(config.tile_url, {maxZoom: 19, attribution: config.tile_attribution || ''})
        .on('tileerror', () => {
          if (failed) return;
          failed = true;
          $('map-state').textContent = aduan.t('submit.tiles_unavailable');
        }).addTo(map);
    } else {
      $('map-state').textContent = aduan.t('submit.tiles_unavailable');
    }
    map.on('click', (event) => placePin(event.latlng.lat, event.latlng.lng, true));
    const follow = () => {
      const lat = parseFloat(form.lat.value), lon = parseFloat(form.lon.value);
      if (Number.isFinite(lat) && Number.isFinite(lon)) placePin(lat, lon, false);
    };
    form.lat.addEventListener('change', follow);
    form.lon.addEventListener('change', follow);
  }

  function number(text) {
    const value = Number(text.trim().replace(',', '.'));
    return text.trim() === '' ? undefined : value;
  }

  function submission() {
    /* An empty field is left out, so the API says "required" rather than "too short". */
    const value = (name) => form[name].value.trim() || undefined;
    const report = {
      classification: form.classification.value, title: value('title'), body: value('body'),
      category: value('category'), region: regionCode() || value('region'), channel: 'web',
      anonymous: form.anonymous.checked, confidential: form.confidential.checked,
    };
    if (value('incident_date')) report.incident_date = value('incident_date');
    const location = {address: value('address'), lat: number(form.lat.value), lon: number(form.lon.value)};
    if (Object.values(location).some((v) => v !== undefined)) report.location = location;
    const reporter = {name: value('name'), email: value('email'), phone: value('phone')};
    if (Object.values(reporter).some((v) => v !== undefined)) report.reporter = reporter;
    return report;
  }

  const MAX_FILES = 5, MAX_BYTES = 10 * 1024 * 1024;
  /* The chosen files, or null with the error shown beside the field. */
  function chosenFiles() {
    const files = Array.from($('files').files);
    let problem = null;
    if (files.length > MAX_FILES) problem = aduan.t('files.too_many');
    const big = files.find((f) => f.size > MAX_BYTES);
    if (big) problem = aduan.t('files.too_large', {name: big.name});
    if (!problem) return files;
    aduan.clearErrors(form);
    $('files-error').textContent = problem;
    $('files').setAttribute('aria-invalid', 'true');
    $('files').focus();
    return null;
  }

  /* After the report is stored: each file in turn, each one's outcome in the receipt. */
  async function uploadFiles(receipt, files) {
    const list = $('upload-status');
    for (const file of files) {
      const answer = await aduan.upload(receipt.tracking_id, receipt.reporter_token, file);
      const ok = answer.status === 201;
      list.append(aduan.element('li', {'data-sent': String(ok)}, ok ? aduan.t('files.sent', {name: file.name})
        : aduan.t('files.failed', {name: file.name, reason: aduan.uploadReason(answer)})));
    }
  }

  function showReceipt(receipt) {
    aduan.tokens.remember(receipt.tracking_id, receipt.reporter_token);
    const url = location.origin + '/lapor/' + receipt.tracking_id + '#token=' + encodeURIComponent(receipt.reporter_token);
    $('receipt-id').textContent = receipt.tracking_id;
    $('receipt-token').textContent = receipt.reporter_token;
    $('receipt-link').href = url;
    $('receipt-url').textContent = url;
    form.hidden = true;
    $('receipt').hidden = false;
    $('receipt').focus();
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (form.region.value.trim() && !regionCode()) {
      aduan.showProblem(form, {status: 422, data: {errors: [{field: 'region', code: 'region_name'}]}});
      return;
    }
    const files = chosenFiles();
    if (!files) return;
    $('send').disabled = true;
    const answer = await aduan.api('POST', '/reports', {key, body: submission()});
    if (answer.status === 201) {
      showReceipt(answer.data);
      await uploadFiles(answer.data, files);
      $('receipt').dataset.uploaded = 'true';
    } else aduan.showProblem(form, answer);
    $('send').disabled = false;
  });

  $('incident-date').max = new Date().toISOString().slice(0, 10);
  startMap();
  similarReports.watch(form);
});
