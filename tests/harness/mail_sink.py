"""A real SMTP server that stores every message it accepts, so tests and the local runner can see
exactly what aduan sent (raw bytes, envelope, decoded subject) without a real mail provider.

It can also answer DATA with a temporary failure, to check that aduan retries instead of losing
mail, and can demand AUTH, to check that aduan logs in when configured to.
"""
import argparse
import asyncio
import email.header
import email.parser
import email.policy
import json
import logging
import os
import re
import signal
import sys
import threading
import time
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

HOST = "127.0.0.1"
MAX_MESSAGE_BYTES = 10 * 1024 * 1024
TEMPORARY_FAILURE = "451 4.3.0 try again later"
INDEX_NAME = "index.jsonl"
EML_NAME = re.compile(r"^(\d{6})\.eml$")


def _decoded_subject(raw_subject):
    """Subjects arrive RFC 2047 encoded; tests compare them with the text aduan meant to send."""
    if raw_subject is None:
        return None
    return str(email.header.make_header(email.header.decode_header(raw_subject)))


AUTH_NOISE = (
    "auth_required == True but auth_require_tls == False",
    "Session.login_data is deprecated",
)


def _is_not_auth_noise(record):
    return not str(record.msg).startswith(AUTH_NOISE)


def _silence_auth_warnings():
    """AUTH without TLS is deliberate on loopback, and aiosmtpd itself touches its deprecated
    login_data; without this every connection and login would print a warning."""
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS",
                            category=UserWarning)
    logging.getLogger("mail.log").addFilter(_is_not_auth_noise)


class _Handler:
    """aiosmtpd hook object; the sink decides whether to refuse or store."""

    def __init__(self, sink):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        answer = self.sink._accept_or_refuse(envelope)
        late = self.sink._answer_delay(envelope)
        if late:
            await asyncio.sleep(late)
        return answer


class MailSink:
    """SMTP server on 127.0.0.1:port writing each accepted message to directory/NNNNNN.eml plus one
    line of directory/index.jsonl.

    refuse_first=K answers the first K DATA commands with a 451 (counted in `refused`), to test
    retries; answer_late(recipient, seconds) keeps the next message to that recipient, then answers
    after `seconds` (a server slower than the client's time limit); require_auth=(user, password)
    refuses mail from clients that did not log in.
    on_message, if given, is called with each new index entry (the script prints it).
    """

    def __init__(self, port, directory, refuse_first=0, require_auth=None, on_message=None, host=HOST):
        self.port = port
        self.directory = directory
        self.refused = 0
        self.on_message = on_message
        self._refuse_remaining = refuse_first
        self._refusing = False
        self._late = {}
        self._lock = threading.Lock()
        os.makedirs(directory, exist_ok=True)
        self._next_number = self._first_free_number()
        smtp_options = {"data_size_limit": MAX_MESSAGE_BYTES}
        if require_auth is not None:
            _silence_auth_warnings()
            smtp_options.update(
                authenticator=self._authenticator(*require_auth),
                auth_required=True,
                auth_require_tls=False,
            )
        self._controller = Controller(_Handler(self), hostname=host, port=port, **smtp_options)

    def _first_free_number(self):
        """Continue after files already in the directory, so a restarted sink never overwrites."""
        numbers = [int(m.group(1)) for m in map(EML_NAME.match, os.listdir(self.directory)) if m]
        return max(numbers, default=0) + 1

    @staticmethod
    def _authenticator(user, password):
        expected = (user.encode(), password.encode())

        def authenticate(server, session, envelope, mechanism, auth_data):
            if (auth_data.login, auth_data.password) == expected:
                return AuthResult(success=True, auth_data=auth_data)
            # handled=False makes aiosmtpd answer 535; otherwise the client waits forever.
            return AuthResult(success=False, handled=False)

        return authenticate

    def start(self):
        self._controller.start()
        self._running = True

    def stop(self):
        """Stopping a sink that is not running does nothing (a system whose start failed)."""
        if getattr(self, "_running", False):
            self._controller.stop()
            self._running = False

    def set_refusing(self, refusing):
        """While True every DATA gets a 451, to simulate a mail outage and its recovery."""
        with self._lock:
            self._refusing = bool(refusing)

    def answer_late(self, recipient, seconds):
        """The next message to `recipient` is kept at once and answered after `seconds`."""
        with self._lock:
            self._late[recipient] = seconds

    def _answer_delay(self, envelope):
        with self._lock:
            for recipient in envelope.rcpt_tos:
                if recipient in self._late:
                    return self._late.pop(recipient)
        return 0

    def _accept_or_refuse(self, envelope):
        with self._lock:
            if self._refusing or self._refuse_remaining > 0:
                if not self._refusing:
                    self._refuse_remaining -= 1
                self.refused += 1
                return TEMPORARY_FAILURE
            entry = self._store(envelope)
        if self.on_message is not None:
            self.on_message(entry)
        return "250 OK"

    def _store(self, envelope):
        """Write the .eml before its index line, so every indexed entry has its file."""
        raw = envelope.original_content or envelope.content
        name = f"{self._next_number:06d}.eml"
        self._next_number += 1
        with open(os.path.join(self.directory, name), "wb") as eml:
            eml.write(raw)
        headers = email.parser.BytesHeaderParser().parsebytes(raw)
        message_id = headers.get("Message-ID")
        entry = {
            "file": name,
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "message_id": message_id.strip() if message_id is not None else None,
            "subject": _decoded_subject(headers.get("Subject")),
            "received_at": time.time(),
        }
        with open(os.path.join(self.directory, INDEX_NAME), "a", encoding="utf-8") as index:
            index.write(json.dumps(entry, ensure_ascii=False) + "\n")
            index.flush()
        return entry

    def messages(self):
        """Index entries in arrival order."""
        path = os.path.join(self.directory, INDEX_NAME)
        with self._lock:
            if not os.path.exists(path):
                return []
            with open(path, encoding="utf-8") as index:
                return [json.loads(line) for line in index if line.strip()]

    def message(self, entry):
        """The stored message of an index entry, parsed so tests can read headers and parts."""
        with open(os.path.join(self.directory, entry["file"]), "rb") as eml:
            return email.parser.BytesParser(policy=email.policy.default).parse(eml)


def main():
    parser = argparse.ArgumentParser(description="Local SMTP sink for aduan's mail.")
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--host", default=HOST, help="address to listen on (a container: 0.0.0.0)")
    parser.add_argument("--dir", required=True, help="where .eml files and index.jsonl go")
    parser.add_argument("--refuse-first", type=int, default=0, metavar="K",
                        help="answer the first K messages with a temporary failure")
    args = parser.parse_args()

    def report(entry):
        print(f"mail: {entry['subject']} -> {', '.join(entry['rcpt_tos'])} ({entry['file']})",
              file=sys.stderr, flush=True)

    stop_requested = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop_requested.set())
    sink = MailSink(args.port, args.dir, refuse_first=args.refuse_first, on_message=report, host=args.host)
    sink.start()
    print(f"mail sink listening on {args.host}:{args.port}, storing in {args.dir}",
          file=sys.stderr, flush=True)
    stop_requested.wait()
    sink.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
