'use strict';
/* The words of a page, shared by the three sites (each serves its own catalogues next to this
 * script): the catalogue of the chosen language (Indonesian by default, English on request, the
 * choice remembered in this browser), data-i18n* attributes filled from it, the page's title, and
 * the header's language switch. */
const i18n = (() => {
  const root = document.documentElement;
  let messages = {};
  let lang = 'id';

  function chooseLanguage() {
    const asked = new URLSearchParams(location.search).get('lang');
    if (asked === 'id' || asked === 'en') {
      localStorage.setItem('aduan.lang', asked);
      return asked;
    }
    return localStorage.getItem('aduan.lang') === 'en' ? 'en' : 'id';
  }

  /* The message `key`, with {name} replaced by vars.name; the key itself when the catalogue lacks it. */
  function t(key, vars) {
    let text = Object.prototype.hasOwnProperty.call(messages, key) ? messages[key] : key;
    for (const [name, value] of Object.entries(vars || {}))
      text = text.split('{' + name + '}').join(String(value));
    return text;
  }

  function translate(scope) {
    scope.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
    scope.querySelectorAll('[data-i18n-label]').forEach((el) => el.setAttribute('aria-label', t(el.dataset.i18nLabel)));
    scope.querySelectorAll('[data-i18n-placeholder]').forEach((el) => el.setAttribute('placeholder', t(el.dataset.i18nPlaceholder)));
  }

  /* The other language, remembered, and the page again without a ?lang= that would override it. */
  function switchLanguage() {
    localStorage.setItem('aduan.lang', lang === 'id' ? 'en' : 'id');
    const url = new URL(location.href);
    url.searchParams.delete('lang');
    location.replace(url.toString());
  }

  /* Loads the catalogue and fills the page: its words, its title (data-page names it) and the switch. */
  async function load() {
    lang = chooseLanguage();
    const answer = await fetch(root.dataset.assets + '/' + lang + '.json');
    messages = await answer.json();
    root.lang = lang;
    translate(document);
    document.title = t(root.dataset.page + '.title') + ' · ' + t('site.name');
    const button = document.getElementById('lang-switch');
    button.textContent = t('lang.other');
    button.lang = lang === 'id' ? 'en' : 'id';
    button.addEventListener('click', switchLanguage);
  }

  return {t, translate, load, language: () => lang, locale: () => (lang === 'id' ? 'id-ID' : 'en-GB')};
})();
