'use strict';
/* Paging of the desk by the API's `next` cursor (docs/api.md, "after"): the cursor each page
 * started at is kept, so "previous" goes back through them without an offset; new filters start
 * again at the first page. Started by desk.js with its load. */
const deskPages = (() => {
  let starts = [null];
  let next = null;

  function button(which) {
    return document.getElementById('page-' + which);
  }

  /* A pressed button that the new page disables would leave the keyboard nowhere: the other one
   * (or the table) takes the focus. */
  function keepFocus(pressed) {
    if (!pressed.disabled) return;
    const other = button(pressed.id === 'page-next' ? 'prev' : 'next');
    (other.disabled ? document.getElementById('queue') : other).focus();
  }

  return {
    cursor: () => starts[starts.length - 1],
    reset: () => { starts = [null]; next = null; },
    show(nextCursor) {
      next = nextCursor || null;
      button('prev').disabled = starts.length < 2;
      button('next').disabled = !next;
      document.getElementById('page-number').textContent = konsol.t('desk.page', {n: starts.length});
    },
    start(load) {
      const go = async (pressed, move) => {
        move();
        await load();
        keepFocus(pressed);
      };
      button('next').addEventListener('click', (event) => {
        if (next) go(event.currentTarget, () => starts.push(next));
      });
      button('prev').addEventListener('click', (event) => {
        if (starts.length > 1) go(event.currentTarget, () => starts.pop());
      });
    },
  };
})();
