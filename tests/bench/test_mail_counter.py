"""aduan-bench-mail (tests/bench/mail_counter.c), the benchmarks' counting SMTP server, started as the
benchmarks start it (counting_mail.py) and spoken to by Python's smtplib as aduan-notify's libcurl
speaks: messages in one session and in several are each counted once, a dot-stuffed line inside a
message does not end it, an unknown command is refused and the session goes on, a message cut short
is not counted, and a client still connected does not keep it from stopping cleanly."""
import os
import smtplib
import socket
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
from aduan_harness import free_port  # noqa: E402
from counting_mail import CountingMail  # noqa: E402

MESSAGE = "Subject: laporan\r\n\r\nbaris satu\r\n.titik di awal baris\r\nbaris tiga\r\n"


class MailCounterTest(unittest.TestCase):
    def setUp(self):
        self.mail = CountingMail(free_port(), os.environ["ADUAN_BIN_DIR"])
        self.mail.start()

    def tearDown(self):
        self.mail.stop()

    def counts(self):
        self.mail.stop()
        return self.mail.counts

    def test_every_message_is_counted_once(self):
        with smtplib.SMTP("127.0.0.1", self.mail.port, timeout=10) as smtp:
            smtp.sendmail("aduan@example.go.id", ["warga@example.org"], MESSAGE)
            smtp.sendmail("aduan@example.go.id", ["a@example.org", "b@example.org"], MESSAGE)
        with smtplib.SMTP("127.0.0.1", self.mail.port, timeout=10) as smtp:
            self.assertEqual(smtp.docmd("VRFY", "warga")[0], 502)
            self.assertEqual(smtp.noop()[0], 250)
            smtp.sendmail("aduan@example.go.id", ["warga@example.org"], MESSAGE)
        self.assertEqual(self.counts(), "messages 3 sessions 2")

    def test_a_message_cut_short_is_not_counted(self):
        sock = socket.create_connection(("127.0.0.1", self.mail.port), timeout=10)
        sock.recv(100)
        sock.sendall(b"HELO bench\r\nMAIL FROM:<a@example.go.id>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nbaris\r\n")
        sock.close()
        self.assertEqual(self.counts(), "messages 0 sessions 1")

    def test_a_client_still_connected_is_let_go_at_stop(self):
        """Its session is ended too (under AddressSanitizer a session left allocated fails the exit)."""
        with socket.create_connection(("127.0.0.1", self.mail.port), timeout=10) as sock:
            sock.recv(100)
            sock.sendall(b"HELO bench\r\n")
            self.assertTrue(sock.recv(100).startswith(b"250"))
            self.assertEqual(self.counts(), "messages 0 sessions 1")


if __name__ == "__main__":
    unittest.main()
