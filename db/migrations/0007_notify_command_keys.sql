-- aduan-notify answers the gateway's commands, and a client retries a command that timed out on
-- another replica (Lazy Pirate) under the same request id: that id, kept where the command wrote,
-- is what makes the retry answer the first outcome instead of doing the work a second time.

-- The request that registered the webhook: a retry returns this webhook, not a second one.
ALTER TABLE webhooks ADD COLUMN request_id text UNIQUE;

-- The request of a delivery's latest re-send by staff: a retry of it queues nothing more.
ALTER TABLE deliveries ADD COLUMN resend_request_id text;
