"""aduan-bench-mail (tests/bench/mail_counter.c), the benchmarks' counting SMTP server, spoken to by
Python's smtplib as aduan-notify's libcurl speaks: messages in one session and in several are each
counted once, a dot-stuffed line inside a message does not end it, an unknown command is refused and
the session goes on."""
import os
import signal
import smtplib
import socket
import subprocess
import unittest

MESSAGE = "Subject: laporan\r\n\r\nbaris satu\r\n.titik di awal baris\r\nbaris tiga\r\n"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailCounterTest(unittest.TestCase):
    def setUp(self):
        self.port = free_port()
        path = os.path.join(os.environ["ADUAN_BIN_DIR"], "aduan-bench-mail")
        self.proc = subprocess.Popen([path, str(self.port)], stdout=subprocess.PIPE, text=True)
        self.assertEqual(self.proc.stdout.readline().strip(), "listening")

    def tearDown(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def counts(self):
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=10)
        self.assertEqual(self.proc.returncode, 0)
        return out.strip()

    def test_every_message_is_counted_once(self):
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as smtp:
            smtp.sendmail("aduan@example.go.id", ["warga@example.org"], MESSAGE)
            smtp.sendmail("aduan@example.go.id", ["a@example.org", "b@example.org"], MESSAGE)
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as smtp:
            self.assertEqual(smtp.docmd("VRFY", "warga")[0], 502)
            self.assertEqual(smtp.noop()[0], 250)
            smtp.sendmail("aduan@example.go.id", ["warga@example.org"], MESSAGE)
        self.assertEqual(self.counts(), "messages 3 sessions 2")

    def test_a_message_cut_short_is_not_counted(self):
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        sock.recv(100)
        sock.sendall(b"HELO bench\r\nMAIL FROM:<a@example.go.id>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nbaris\r\n")
        sock.close()
        self.assertEqual(self.counts(), "messages 0 sessions 1")


if __name__ == "__main__":
    unittest.main()
