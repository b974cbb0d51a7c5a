'use strict';
/* Live updates from the gateway (Server-Sent Events, docs/api.md "Live updates"). A page names
 * what to do when something in its view changed; the call is debounced (a burst of events is one
 * refetch). Staff streams need the session's Authorization header, which EventSource cannot send,
 * so they are read with fetch; the public stream uses EventSource. When no stream can be had
 * (503, an old browser), `onUnavailable` runs once and the page polls as it did before. */
const konsolLive = (() => {
  const DEBOUNCE_MS = 1000;
  const RETRY_MS = 5000;

  function debounce(fn) {
    let timer = null;
    return () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => { timer = null; fn(); }, DEBOUNCE_MS);
    };
  }

  /* Splits the text read so far into whole messages; the unfinished tail is returned. */
  function parse(text, onMessage) {
    const blocks = text.split('\n\n');
    const rest = blocks.pop();
    for (const block of blocks) {
      const message = {event: 'message', data: '', id: null};
      for (const line of block.split('\n')) {
        if (!line || line.startsWith(':')) continue;
        const at = line.indexOf(':');
        const field = at < 0 ? line : line.slice(0, at);
        const value = at < 0 ? '' : line.slice(at + 1).replace(/^ /, '');
        if (field === 'event' || field === 'data' || field === 'id') message[field] = value;
      }
      onMessage(message);
    }
    return rest;
  }

  /* Reads the staff stream until it ends; 'unavailable', 'ended' (session over) or 'broken'. */
  async function readStaff(lastId, onMessage) {
    const headers = {Accept: 'text/event-stream', Authorization: 'Bearer ' + konsol.session.token()};
    if (lastId.value) headers['Last-Event-ID'] = lastId.value;
    let answer;
    try {
      answer = await fetch('/api/v1/live', {headers, cache: 'no-store'});
    } catch (e) {
      return 'broken';
    }
    if (answer.status !== 200 || !answer.body) return answer.status === 401 ? 'ended' : 'unavailable';
    const reader = answer.body.getReader();
    const decoder = new TextDecoder();
    let text = '', ended = false;
    document.documentElement.dataset.live = 'on';
    for (;;) {
      let chunk;
      try {
        chunk = await reader.read();
      } catch (e) {
        break;
      }
      if (chunk.done) break;
      text = parse(text + decoder.decode(chunk.value, {stream: true}), (m) => {
        if (m.id) lastId.value = m.id;
        if (m.event === 'end') ended = true;
        onMessage(m);
      });
    }
    document.documentElement.dataset.live = 'off';
    return ended ? 'ended' : 'broken';
  }

  function react(message, refresh) {
    if (message.event === 'reload') location.reload();
    else if (message.event === 'report' || message.event === 'figures') refresh();
  }

  /* Staff pages: refresh() after events of their scope; onUnavailable() when there is no stream. */
  async function followStaff(refresh, onUnavailable) {
    const later = debounce(refresh);
    const lastId = {value: null};
    for (;;) {
      const how = await readStaff(lastId, (m) => react(m, later));
      if (how === 'ended') return;
      if (how === 'unavailable' && !lastId.value) {
        onUnavailable();
        return;
      }
      await new Promise((done) => setTimeout(done, RETRY_MS));
    }
  }

  /* The public dashboard; EventSource reconnects with Last-Event-ID by itself. */
  function followPublic(refresh, onUnavailable) {
    if (!window.EventSource) {
      onUnavailable();
      return;
    }
    const later = debounce(refresh);
    const source = new EventSource('/api/v1/live/public');
    source.addEventListener('open', () => { document.documentElement.dataset.live = 'on'; });
    source.addEventListener('figures', later);
    source.addEventListener('reload', later);
    source.addEventListener('error', () => {
      document.documentElement.dataset.live = 'off';
      if (source.readyState === EventSource.CLOSED) onUnavailable();
    });
  }

  /* Whether `data` differs from what was last shown under `name`: a refresh that brings nothing
   * new leaves the page as it is, so that a link is not redrawn under the pointer about to click. */
  const shown = new Map();
  function changed(name, data) {
    const text = JSON.stringify(data);
    if (shown.get(name) === text) return false;
    shown.set(name, text);
    return true;
  }

  return {followStaff, followPublic, changed};
})();
