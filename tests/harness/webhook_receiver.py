"""A real HTTP endpoint that receives aduan's webhooks and checks their signatures the way an
integrator must, so tests see both what was delivered and whether it would have been trusted.

It can answer slowly, answer with any status (410 makes aduan disable the webhook) and be stopped
and restarted on the same port, to simulate a receiver that is down for a while.
"""
import collections
import hashlib
import hmac
import http.server
import json
import threading
import time

HOST = "127.0.0.1"
TIMESTAMP_TOLERANCE_SECONDS = 300
SIGNATURE_SCHEME = "v1="
HOLD_LIMIT_S = 60   # a held answer goes out by then even if the test never lets it


def compute_signature(secret, timestamp, body_bytes):
    """Lowercase hex HMAC-SHA256 keyed with the secret over b"<timestamp>.<raw body>"."""
    signed = str(timestamp).encode("utf-8") + b"." + body_bytes
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def verify_signature(secret, timestamp, body_bytes, signature_header):
    """Reference check of an Aduan-Signature header, as integrators should implement it.

    timestamp is the Aduan-Timestamp header exactly as received and body_bytes the raw request
    body, before any JSON parsing. The header may hold several comma-separated "v1=<hex>" entries
    while the secret is being rotated; one match is enough. compare_digest keeps the comparison
    constant-time so the signature cannot be guessed byte by byte. Integrators must also reject
    timestamps far from their own clock (this receiver allows TIMESTAMP_TOLERANCE_SECONDS) so a
    captured request cannot be replayed later.
    """
    expected = compute_signature(secret, timestamp, body_bytes).encode("ascii")
    for entry in signature_header.split(","):
        entry = entry.strip()
        if entry.startswith(SIGNATURE_SCHEME):
            candidate = entry[len(SIGNATURE_SCHEME):].encode("utf-8")
            if hmac.compare_digest(candidate, expected):
                return True
    return False


class _Server(http.server.ThreadingHTTPServer):
    # Rebinding the same port right after stop() must not fail on TIME_WAIT.
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, receiver, address):
        self.receiver = receiver
        super().__init__(address, _RequestHandler)


class _RequestHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(length)
        status, delay, until = self.server.receiver._handle(self.path, self.headers, raw)
        if until is not None:
            until.wait(HOLD_LIMIT_S)
        if delay:
            time.sleep(delay)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        """Tests send many requests; per-request lines would drown the useful output."""


class WebhookReceiver:
    """Webhook endpoint on 127.0.0.1 that records verified deliveries in `received` and refused
    ones (answered 401) in `rejected`.

    `secret` may be set after construction, since a test learns it only when it registers the
    webhook; until then every request is rejected.
    """

    def __init__(self, secret=None, port=0):
        self.secret = secret
        self.port = port
        self.received = []
        self.rejected = []
        self._status = 200
        self._delay = 0.0
        self._until = None
        # Guards the lists and the mode; wait_for() waits on it for new deliveries.
        self._lock = threading.Condition()
        self._server = None
        self._thread = None

    def start(self):
        """Bind and serve in the background; a restart reuses the port picked the first time."""
        self._server = _Server(self, (HOST, self.port))
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name=f"webhook-receiver-{self.port}")
        self._thread.start()

    def stop(self):
        """Also close the listening socket, so clients get refused as if the receiver were down.
        Stopping a stopped receiver does nothing."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._server = None
        self._thread = None

    def url(self, path="/hook"):
        return f"http://{HOST}:{self.port}{path}"

    def respond(self, status=200, delay=0.0, until=None):
        """Answer later verified requests with status after delay seconds, and not before `until`
        (a threading.Event) is set, if one is given (at most HOLD_LIMIT_S)."""
        with self._lock:
            self._status = status
            self._delay = delay
            self._until = until

    def _handle(self, path, headers, raw):
        """Record the request and return (status, delay, until) for the answer."""
        delivery_id = headers.get("Aduan-Delivery-Id")
        timestamp = headers.get("Aduan-Timestamp")
        signature = headers.get("Aduan-Signature")
        reason = self._rejection_reason(delivery_id, timestamp, signature, raw)
        body = None
        if reason is None:
            try:
                body = json.loads(raw)
            except ValueError:
                reason = "body is not JSON"
        with self._lock:
            if reason is not None:
                self.rejected.append({"reason": reason, "path": path, "delivery_id": delivery_id,
                                      "headers": dict(headers.items()), "raw": raw})
                return 401, 0.0, None
            self.received.append({
                "delivery_id": delivery_id,
                "event_type": headers.get("Aduan-Event-Type"),
                "timestamp": int(timestamp),
                "body": body,
                "raw": raw,
                "path": path,
                "headers": dict(headers.items()),
            })
            self._lock.notify_all()
            return self._status, self._delay, self._until

    def _rejection_reason(self, delivery_id, timestamp, signature, raw):
        secret = self.secret
        if secret is None:
            return "no secret configured"
        if not delivery_id or not timestamp or not signature:
            return "missing Aduan-Delivery-Id, Aduan-Timestamp or Aduan-Signature"
        if not (timestamp.isascii() and timestamp.isdigit()):
            return "timestamp is not a decimal integer"
        if abs(time.time() - int(timestamp)) > TIMESTAMP_TOLERANCE_SECONDS:
            return "timestamp outside tolerance"
        if not verify_signature(secret, timestamp, raw, signature):
            return "signature mismatch"
        return None

    def delivery_ids(self):
        with self._lock:
            return [entry["delivery_id"] for entry in self.received]

    def count_by_delivery(self):
        """How often each delivery id arrived; more than once means aduan retried it."""
        return collections.Counter(self.delivery_ids())

    def wait_for(self, n, timeout):
        """True once at least n verified requests arrived, False if timeout seconds pass first."""
        with self._lock:
            return self._lock.wait_for(lambda: len(self.received) >= n, timeout)
