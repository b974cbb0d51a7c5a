'use strict';
konsol.start(async () => {
  if (konsol.session.token()) {
    location.replace('/konsol/meja');
    return;
  }
  const form = document.getElementById('signin');
  const error = document.getElementById('signin-error');
  if (new URLSearchParams(location.search).get('expired')) error.textContent = konsol.t('signin.expired');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const body = {username: form.username.value.trim(), password: form.password.value};
    const answer = await konsol.api('POST', '/sessions', {body, anonymous: true});
    if (answer.status === 201) {
      konsol.session.keep(answer.data);
      location.replace('/konsol/meja');
      return;
    }
    error.textContent = answer.status === 401 ? konsol.t('signin.wrong') : konsol.problemText(answer);
    form.password.value = '';
    form.password.focus();
  });
}, false);
