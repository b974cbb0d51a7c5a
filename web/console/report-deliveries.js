'use strict';
/* The report's notifications under its history (GET /deliveries?report=…): to whom, on which
 * channel and with what outcome, as far as the member's scope shows them; admins resend a dead one. */
function showDeliveries(staff, trackingId) {
  const log = deliveryLog.create({body: document.getElementById('delivery-rows'),
    empty: document.getElementById('delivery-empty'), notice: document.getElementById('delivery-notice'),
    canResend: staff.role === 'national_admin' || staff.role === 'institution_admin'});
  return log.load('report=' + encodeURIComponent(trackingId) + '&limit=100');
}
