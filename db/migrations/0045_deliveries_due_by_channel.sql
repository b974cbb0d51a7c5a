-- A sender claims e-mail apart from webhooks and SMS (services/notify/sender.c), each in sending
-- order. With deliveries_due ordered by time alone, a claim of one channel walked every due row of
-- the others ahead of its own: a webhook claim over a backlog of due e-mails read all of them and
-- found nothing, and the sender asks again every time a slot comes free (docs/performance.md,
-- branch notify2). Led by the channel, a claim reads its own channel's due rows only.
DROP INDEX deliveries_due;
CREATE INDEX deliveries_due ON deliveries (channel, next_attempt_at, id) WHERE status IN ('pending', 'sending');
