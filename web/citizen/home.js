'use strict';
aduan.start(async () => {
  const form = document.getElementById('track-form');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const typed = form.tracking_id.value.trim().toUpperCase().replace(/[^0-9A-Z-]/g, '');
    if (typed.replace(/-/g, '').length !== 12) {
      aduan.showProblem(form, {status: 422, data: {errors: [{field: 'tracking_id', code: 'tracking_id'}]}});
      return;
    }
    location.assign('/lapor/' + encodeURIComponent(typed));
  });
});
