-- A webhook's delivery log (GET /api/v1/deliveries?webhook=…, the console's webhooks page) lists
-- one webhook's deliveries newest first; without this every listing reads all deliveries.
CREATE INDEX deliveries_webhook ON deliveries (webhook_id, id) WHERE webhook_id IS NOT NULL;
