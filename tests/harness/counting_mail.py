"""The benchmarks' SMTP server: aduan-bench-mail (tests/bench/mail_counter.c), which accepts and
counts every message aduan-notify sends and keeps none. A benchmark runs on the cores it measures,
and the tests' mail sink (mail_sink.py) cost them about 0.14 ms of CPU a submission; tests that
read what was sent use mail_sink.py. Started and stopped as MailSink is, by System."""
import os
import subprocess


class CountingMail:
    def __init__(self, port, bin_dir):
        self.port = port
        self.path = os.path.join(bin_dir, "aduan-bench-mail")
        self.proc = None
        self.counts = None   # "messages N sessions N" once stopped, or how it failed

    def start(self):
        self.proc = subprocess.Popen([self.path, str(self.port)], stdout=subprocess.PIPE, text=True)
        ready = self.proc.stdout.readline().strip()
        if ready != "listening":
            self.proc.kill()
            self.proc.wait()
            self.proc = None
            raise RuntimeError(f"{self.path} did not start listening on {self.port}")

    def stop(self):
        """Stopping a server that is not running does nothing (a system whose start failed)."""
        if self.proc is None:
            return
        self.proc.terminate()
        out, _ = self.proc.communicate(timeout=10)
        code, self.proc = self.proc.returncode, None
        # Said, not raised: System.stop still has the database to drop.
        self.counts = out.strip() if code == 0 else f"exited {code} when stopped"

