'use strict';
/* A delivery log (GET /deliveries with a filter) as a table: status, attempts, last error and times,
 * and for admins "resend" on a dead delivery (the API decides; its refusal is shown in words).
 * While a delivery is still pending or sending the log asks again, so a resend's outcome appears
 * without a reload. Shared by the webhooks page and the report page. */
const deliveryLog = (() => {
  const REFRESH_MS = 1500;
  const REFRESH_MAX = 40;

  function when(iso) {
    return iso ? konsol.dateInWords(iso, true) : '—';
  }

  function statusCell(d) {
    const cell = konsol.element('td', {class: 'delivery-status'});
    cell.append(konsol.element('span', {class: 'state state-' + d.status}, konsol.t('delivery.status.' + d.status)));
    cell.dataset.status = d.status;
    return cell;
  }

  function eventCell(d) {
    const cell = konsol.element('td', {}, d.event_type + ' ');
    if (d.tracking_id)
      cell.append(konsol.element('a', {href: '/konsol/laporan/' + d.tracking_id, class: 'code'}, d.tracking_id));
    return cell;
  }

  function lastTime(d) {
    if (d.delivered_at) return konsol.t('delivery.delivered_at', {date: when(d.delivered_at)});
    if (d.next_attempt_at) return konsol.t('delivery.next_at', {date: when(d.next_attempt_at)});
    return '—';
  }

  /* A log bound to its table body, its "empty" line and its notice (role=status). */
  function create(parts) {
    let timer = null;
    let rounds = 0;
    let query = null;

    async function resend(d, button) {
      button.disabled = true;
      parts.notice.className = 'notice';
      parts.notice.textContent = konsol.t('delivery.resending');
      const answer = await konsol.api('POST', '/deliveries/' + encodeURIComponent(d.delivery_id) + '/resend');
      const ok = answer.status === 202;
      parts.notice.className = 'notice ' + (ok ? 'done' : 'failed');
      parts.notice.textContent = ok ? konsol.t('delivery.resent', {id: d.delivery_id.slice(0, 8)})
        : konsol.t('delivery.resend_failed', {why: konsol.problemText(answer)});
      button.disabled = false;
      if (ok) await load(query);
    }

    function row(d) {
      const tr = konsol.element('tr', {'data-delivery': d.delivery_id});
      tr.append(konsol.element('td', {}, when(d.created_at)), eventCell(d),
        konsol.element('td', {}, d.channel + ' · ' + d.recipient), statusCell(d),
        konsol.element('td', {}, d.attempts + ' / ' + d.max_attempts),
        konsol.element('td', {class: 'last-error'}, d.last_error || '—'),
        konsol.element('td', {}, lastTime(d)));
      const cell = konsol.element('td');
      if (parts.canResend && d.status === 'dead') {
        const button = konsol.element('button', {type: 'button', class: 'resend'}, konsol.t('delivery.resend'));
        button.setAttribute('aria-label', konsol.t('delivery.resend_label', {id: d.delivery_id.slice(0, 8)}));
        button.addEventListener('click', () => resend(d, button));
        cell.append(button);
      }
      tr.append(cell);
      return tr;
    }

    /* Shows the deliveries matching `q` (a query string without "?"): the API's answer. */
    async function load(q) {
      if (q !== query) rounds = 0;
      query = q;
      clearTimeout(timer);
      const answer = await konsol.api('GET', '/deliveries?' + q);
      if (q !== query) return answer;
      if (answer.status !== 200) {
        parts.body.replaceChildren();
        parts.notice.className = 'notice failed';
        parts.notice.textContent = konsol.problemText(answer);
        return answer;
      }
      parts.body.replaceChildren(...answer.data.items.map(row));
      parts.empty.hidden = answer.data.items.length > 0;
      if (answer.data.items.some((d) => d.status === 'pending' || d.status === 'sending') && rounds++ < REFRESH_MAX)
        timer = setTimeout(() => load(q), REFRESH_MS);
      return answer;
    }

    return {load};
  }

  return {create};
})();
