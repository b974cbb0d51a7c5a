"""Runs aduan's real binaries as processes for end-to-end and fault tests.

A test gets a fresh database in the throwaway cluster that ctest's fixture started
(ADUAN_TEST_DB_URL), free loopback ports, and services whose stderr goes to a log file under a
temporary folder that is kept when a test fails (its path is printed).
"""
import atexit
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import string
import struct
import subprocess
import tempfile
import time
import unittest
import urllib.parse
import zlib

import zmq

from counting_mail import CountingMail
from mail_sink import MailSink

BIN_DIR = os.environ.get("ADUAN_BIN_DIR", "")
# aduan-admin reads an installed system's /etc/aduan settings first; a test's system is its own.
os.environ.setdefault("ADUAN_ENV_FILES", "")
CLUSTER_URL = os.environ.get("ADUAN_TEST_DB_URL", "")
# aduan-intake refuses to start without it; one per test process, shared by every intake replica
# (each must open what another sealed).
IDEMPOTENCY_SECRET = secrets.token_hex(32)


# Ports handed out by this process; they are below the kernel's ephemeral range (32768-60999 on
# Debian), where any outgoing connection (psql, an HTTP client) may take a port between the moment
# a test picks it and the moment its service binds it — that race made services fail to start with
# "Address already in use" when suites ran side by side.
_PORTS_GIVEN = set()
_PORT_RANGE = (20000, 32000)


# Every suite talks to the gateway from 127.0.0.1, faster than any person: the per-client limits
# are lifted here, and a suite that tests them (e2e_limits) sets its own through gateway_env.
UNLIMITED_GATEWAY = {
    **{f"ADUAN_RATE_{kind}_{part}": "100000000" for kind in ("SIGN_IN", "SUBMISSION", "REPORTER", "SURVEY", "OPEN311", "FOLLOW")
       for part in ("PER_MINUTE", "BURST")},
    "ADUAN_HTTP_CONNECTIONS_PER_ADDRESS": "0",
}


# Suites running side by side (ctest -j, two checkouts on one machine) pick from the same range: a
# port is claimed across processes by a file naming the claiming process, so two suites never
# pick the same port between one's check and its service's bind (seen: "Address already in use").
_PORT_CLAIMS = os.path.join(tempfile.gettempdir(), f"aduan-test-ports-{os.getuid()}")


def _claim_port(port):
    os.makedirs(_PORT_CLAIMS, exist_ok=True)
    path = os.path.join(_PORT_CLAIMS, str(port))
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        try:
            with open(path) as f:
                claimer = f.read()
            if not claimer:
                return False  # being written by its claimer
            os.kill(int(claimer), 0)
            return False  # its claimer still runs
        except PermissionError:
            return False  # another user's process: it runs
        except (ProcessLookupError, ValueError, FileNotFoundError):
            try:
                os.unlink(path)  # left by a process that is gone
            except FileNotFoundError:
                pass
            return _claim_port(port)
    with os.fdopen(fd, "w") as f:
        f.write(str(os.getpid()))
    atexit.register(_release_port, path)
    return True


def _release_port(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _bindable(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port():
    rng = random.SystemRandom()
    while True:
        port = rng.randrange(*_PORT_RANGE)
        if port in _PORTS_GIVEN or not _bindable(port) or not _claim_port(port):
            continue
        _PORTS_GIVEN.add(port)
        return port


def free_port_block(offsets):
    """A base port (a multiple of 100) such that base + each offset is free now and claimed for
    this process, from the same range as free_port (for a whole system run on a block of ports)."""
    rng = random.SystemRandom()
    while True:
        base = rng.randrange(_PORT_RANGE[0], _PORT_RANGE[1] - max(offsets), 100)
        ports = [base + offset for offset in offsets]
        if any(port in _PORTS_GIVEN or not _bindable(port) for port in ports):
            continue
        claimed = []
        for port in ports:
            if not _claim_port(port):
                break
            claimed.append(port)
        if len(claimed) == len(ports):
            _PORTS_GIVEN.update(ports)
            return base
        for port in claimed:
            _release_port(os.path.join(_PORT_CLAIMS, str(port)))


def _with_dbname(url, dbname):
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + dbname))


def _with_user(url, user):
    """The same database as another role: the cluster trusts its unix socket, so no password."""
    parts = urllib.parse.urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{user}@{host}"))


# Each service connects as its own PostgreSQL role (db/grants.sql); a binary not named here (a
# test's probe consumer that makes its own table) connects as the database owner.
SERVICE_ROLES = {f"aduan-{name}": f"aduan_{name}" for name in ("gateway", "intake", "verify", "route", "notify", "stats",
                                                                  "federate")}


PG_CLUSTER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pg_cluster.sh")


class Cluster:
    """A PostgreSQL cluster of the test's own, for fault tests that restart the server (the shared
    fixture cluster must stay up for the tests running beside them)."""

    def __init__(self, hint):
        self.dir = tempfile.mkdtemp(prefix=f"aduan-pg-{hint}-", dir="/tmp")
        self.url = self._run("start", "--fast")

    def _run(self, *args):
        return subprocess.run([PG_CLUSTER, args[0], self.dir, *args[1:]], check=True,
                              capture_output=True, text=True).stdout.strip()

    def stop(self):
        self._run("stop")

    def start(self):
        self._run("start", "--fast")

    def destroy(self):
        self._run("destroy")


class Database:
    """A fresh database for one test; psql runs the few statements a test needs to count rows."""

    def __init__(self, hint, cluster_url=None):
        self.cluster_url = cluster_url or CLUSTER_URL
        if not self.cluster_url:
            raise RuntimeError("ADUAN_TEST_DB_URL is not set: run through ctest (it starts the cluster)")
        suffix = "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(8))
        self.name = f"e2e_{hint}_{os.getpid()}_{suffix}"[:63]
        self._admin(f'CREATE DATABASE "{self.name}"')
        self.url = _with_dbname(self.cluster_url, self.name)   # the owner: migrations, test queries

    def role_url(self, role):
        """The URL of this database as a role, e.g. "aduan_intake"."""
        return _with_user(self.url, role)

    def service_url(self, binary):
        return self.role_url(SERVICE_ROLES[binary]) if binary in SERVICE_ROLES else self.url

    def migrate(self):
        """aduan-admin migrate as the owner: schema, seeds, the service roles and their grants."""
        done = subprocess.run([os.path.join(BIN_DIR, "aduan-admin"), "migrate"], capture_output=True, timeout=120,
                              env={**os.environ, "ADUAN_DB_URL": self.url})
        if done.returncode != 0:
            raise RuntimeError(f"aduan-admin migrate failed: {done.stderr.decode()}")

    def _admin(self, sql):
        subprocess.run(["psql", self.cluster_url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
                       check=True, capture_output=True, text=True)

    def scalar(self, sql):
        out = subprocess.run(["psql", self.url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
                             check=True, capture_output=True, text=True).stdout.strip()
        return out

    def count(self, table):
        return int(self.scalar(f"SELECT count(*) FROM {table}"))

    def drop(self):
        try:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        except subprocess.CalledProcessError:
            pass  # a private cluster that is already gone takes its databases with it


def write_cert(path, name, role, public, secret=None):
    """A certificate as CZMQ's zcert_save writes it and zcert_load reads it (a zconfig file): the
    public one without `secret`, the secret one (NAME.cert_secret) with it."""
    lines = ["#   ZeroMQ CURVE %s Certificate" % ("**Secret**" if secret else "Public"), "",
             "metadata", f'    name = "{name}"', f'    role = "{role}"',
             "curve", f'    public-key = "{public.decode()}"']
    if secret:
        lines.append(f'    secret-key = "{secret.decode()}"')
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    if secret:
        os.chmod(path, 0o600)


class Keys:
    """The CURVE keys of one System (docs/operations.md "Keys"): a key pair per process name, all
    public certificates in peers/ (every process's ADUAN_CURVE_PEERS), each secret in secret/.
    Names not listed in ROLES are services' (consumers: role "service")."""
    ROLES = {"gateway": "gateway", "admin": "admin", "tail": "analytics", "analytics": "analytics"}
    NAMES = ("gateway", "intake", "verify", "route", "notify", "stats", "federate", "probe-consumer", "admin",
             "tail", "analytics")

    def __init__(self, folder):
        self.peers = os.path.join(folder, "peers")
        self.secrets = os.path.join(folder, "secret")
        os.makedirs(self.peers)
        os.makedirs(self.secrets)
        self.pairs = {}
        for name in self.NAMES:
            public, secret = zmq.curve_keypair()
            self.pairs[name] = (public, secret)
            role = self.ROLES.get(name, "service")
            write_cert(os.path.join(self.peers, f"{name}.cert"), name, role, public)
            write_cert(self.secret_file(name), name, role, public, secret)

    def secret_file(self, name):
        return os.path.join(self.secrets, f"{name}.cert_secret")

    def env(self, name):
        """The settings of a process holding the key `name`."""
        return {"ADUAN_CURVE_SECRET": self.secret_file(name), "ADUAN_CURVE_PEERS": self.peers}

    def secure(self, sock, name, server, pair=None):
        """Makes a pyzmq socket a CURVE client holding the key `name` (or another `pair`, e.g. one
        nobody listed) of the server whose key is named `server`; before connect."""
        public, secret = pair or self.pairs[name]
        sock.curve_publickey = public
        sock.curve_secretkey = secret
        sock.curve_serverkey = self.pairs[server][0]
        return sock


class Service:
    """One service process. Ready when its admin listener says so on /readyz."""

    def __init__(self, binary, env, workdir, name=None):
        self.binary = binary
        self.name = name or binary
        self.env = env
        self.workdir = workdir
        self.admin_port = int(env["ADUAN_ADMIN_ADDR"].rsplit(":", 1)[1])
        self.proc = None
        self.starts = 0

    def start(self, wait_ready=True, timeout=30):
        self.starts += 1
        log = open(os.path.join(self.workdir, f"{self.name}.{self.starts}.log"), "wb")
        env = dict(os.environ)
        env.update(self.env)
        self.proc = subprocess.Popen([os.path.join(BIN_DIR, self.binary)], env=env,
                                     stdout=log, stderr=subprocess.STDOUT)
        log.close()
        if wait_ready:
            self.wait_ready(timeout)
        return self

    def admin_get(self, path, timeout=2):
        conn = http.client.HTTPConnection("127.0.0.1", self.admin_port, timeout=timeout)
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            return resp.status, resp.read().decode()
        finally:
            conn.close()

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode} while starting")
            try:
                status, body = self.admin_get("/readyz")
                if status == 200:
                    return
                last = body
            except OSError as e:
                last = str(e)
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} not ready after {timeout}s: {last}")

    def stop(self, timeout=15):
        """SIGTERM and wait: returns the exit code (graceful life says 0)."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError(f"{self.name} ignored SIGTERM for {timeout}s")

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()


class System:
    """aduan-intake and aduan-gateway against a fresh database, on free loopback ports; with
    `lifecycle`, also aduan-stats (the hub), aduan-verify and aduan-route, all on one injectable
    clock (advance_days)."""

    def __init__(self, hint, intake_replicas=1, gateway_env=None, cluster_url=None, with_stats=False,
                 lifecycle=False, lifecycle_replicas=1, notify=False, notify_replicas=1, notify_env=None,
                 mail_auth=None, stats_replicas=1, counting_mail=False):
        self.workdir = tempfile.mkdtemp(prefix=f"aduan-{hint}-")
        self.keys = Keys(os.path.join(self.workdir, "keys"))
        self.db = Database(hint, cluster_url)
        self.http_port = free_port()
        self.clock_file = os.path.join(self.workdir, "clock-offset-seconds")
        self.stats = None
        self.stats_replicas = []
        with_stats = with_stats or lifecycle or notify
        for i in range(stats_replicas if with_stats else 0):
            self.stats_replicas.append(self._stats_replica(i))
        if self.stats_replicas:
            # Consumers follow the first replica's stream; the others publish the same log.
            self.stats = self.stats_replicas[0]
            self.stream_endpoint = self.stats.env["ADUAN_STREAM_BIND"]
            self.replay_endpoint = self.stats.env["ADUAN_REPLAY_BIND"]
        self.intakes = []
        endpoints = []
        for i in range(intake_replicas):
            bind = f"tcp://127.0.0.1:{free_port()}"
            endpoints.append(bind)
            self.intakes.append(Service("aduan-intake", {
                "ADUAN_DB_URL": self.db.service_url("aduan-intake"),
                "ADUAN_INTAKE_BIND": bind,
                "ADUAN_IDEMPOTENCY_SECRET": IDEMPOTENCY_SECRET,
                "ADUAN_ADMIN_ADDR": f"127.0.0.1:{free_port()}",
                "ADUAN_LOG_LEVEL": "debug",
                "ADUAN_CLOCK_FILE": self.clock_file,
                **self.keys.env("intake"),
            }, self.workdir, name=f"intake{i}"))
        self.lifecycle = {}  # name → replicas
        for name in ("verify", "route") if lifecycle else ():
            self.lifecycle[name] = [Service(f"aduan-{name}", {
                "ADUAN_DB_URL": self.db.service_url(f"aduan-{name}"),
                f"ADUAN_{name.upper()}_BIND": f"tcp://127.0.0.1:{free_port()}",
                "ADUAN_ADMIN_ADDR": f"127.0.0.1:{free_port()}",
                "ADUAN_LOG_LEVEL": "debug",
                "ADUAN_CLOCK_FILE": self.clock_file,
                **self.stream_env(),
                **self.keys.env(name),
            }, self.workdir, name=f"{name}{i}" if i else name) for i in range(lifecycle_replicas)]
        self.mail = None
        self.notifiers = []
        if notify:
            self._add_notify(notify_replicas, notify_env or {}, mail_auth, counting_mail)
        env = {
            "ADUAN_HTTP_ADDR": f"127.0.0.1:{self.http_port}",
            "ADUAN_INTAKE_ENDPOINTS": ",".join(endpoints),
            "ADUAN_DB_URL": self.db.service_url("aduan-gateway"),
            "ADUAN_ADMIN_ADDR": f"127.0.0.1:{free_port()}",
            "ADUAN_LOG_LEVEL": "debug",
            **UNLIMITED_GATEWAY,
            **self.keys.env("gateway"),
        }
        for name, replicas in self.lifecycle.items():
            env[f"ADUAN_{name.upper()}_ENDPOINTS"] = ",".join(s.env[f"ADUAN_{name.upper()}_BIND"] for s in replicas)
        if self.notifiers:
            env["ADUAN_NOTIFY_ENDPOINTS"] = ",".join(s.env["ADUAN_NOTIFY_BIND"] for s in self.notifiers)
        if self.stats_replicas:
            env["ADUAN_STATS_ENDPOINTS"] = self.stats_endpoints()
        # the live updates (GET /live) follow the hub; without one, none (not the default ports)
        env.update(self.stream_env() if self.stats_replicas
                   else {"ADUAN_STREAM_ENDPOINTS": "", "ADUAN_REPLAY_ENDPOINTS": ""})
        env.update(gateway_env or {})
        self.gateway = Service("aduan-gateway", env, self.workdir, name="gateway")
        self.extra = []
        self.tails = []

    def stats_endpoints(self):
        """Every stats replica's query endpoint: where the gateway and aduan-admin rebuild-stats send."""
        return ",".join(s.env["ADUAN_STATS_QUERY_BIND"] for s in self.stats_replicas)

    def _stats_replica(self, i):
        """aduan-stats replica i: a stream hub, a counting member and a query server of its own."""
        stream = f"tcp://127.0.0.1:{free_port()}"
        replay = f"tcp://127.0.0.1:{free_port()}"
        return Service("aduan-stats", {
            "ADUAN_DB_URL": self.db.service_url("aduan-stats"),
            "ADUAN_STREAM_BIND": stream,
            "ADUAN_REPLAY_BIND": replay,
            "ADUAN_STREAM_ENDPOINTS": stream,   # its statistics count its own stream
            "ADUAN_REPLAY_ENDPOINTS": replay,
            "ADUAN_STATS_QUERY_BIND": f"tcp://127.0.0.1:{free_port()}",
            "ADUAN_ADMIN_ADDR": f"127.0.0.1:{free_port()}",
            "ADUAN_LOG_LEVEL": "debug",
            # tests read the figures right after their own changes; test_stats_cache sets a max age
            "ADUAN_STATS_MAX_AGE": "0",
            **self.keys.env("stats"),
        }, self.workdir, name=f"stats{i}" if i else "stats")

    def _add_notify(self, replicas, extra_env, mail_auth, counting_mail):
        """aduan-notify replicas sending e-mail to a real SMTP server of the test (self.mail), with
        retries quick enough for a test; mail_auth (user, password): the server demands AUTH and
        aduan-notify is given those credentials; counting_mail: a benchmark's server, which only
        counts the messages (counting_mail.py)."""
        if counting_mail:
            self.mail = CountingMail(free_port(), BIN_DIR)
        else:
            self.mail = MailSink(free_port(), os.path.join(self.workdir, "mail"), require_auth=mail_auth)
        key_file = os.path.join(self.workdir, "delivery-id.key")
        with open(key_file, "wb") as f:
            f.write(os.urandom(32).hex().encode("ascii"))
        if mail_auth:
            extra_env = {"ADUAN_SMTP_USER": mail_auth[0], "ADUAN_SMTP_PASSWORD": mail_auth[1], **extra_env}
        for i in range(replicas):
            self.notifiers.append(Service("aduan-notify", {
                "ADUAN_DB_URL": self.db.service_url("aduan-notify"),
                "ADUAN_NOTIFY_BIND": f"tcp://127.0.0.1:{free_port()}",
                "ADUAN_ADMIN_ADDR": f"127.0.0.1:{free_port()}",
                "ADUAN_LOG_LEVEL": "debug",
                "ADUAN_CLOCK_FILE": self.clock_file,
                "ADUAN_SMTP_URL": f"smtp://127.0.0.1:{self.mail.port}",
                "ADUAN_PUBLIC_URL": "https://lapor.example.go.id",
                "ADUAN_RETRY_BASE_MS": "200",
                "ADUAN_RETRY_CAP_MS": "2000",
                "ADUAN_HTTP_TIMEOUT_MS": "2000",
                "ADUAN_SMTP_TIMEOUT_MS": "5000",
                "ADUAN_DELIVERY_ATTEMPTS": "30",
                "ADUAN_DELIVERY_ID_KEY": key_file,
                # the tests' own receivers (webhook_receiver.py) listen on loopback
                "ADUAN_WEBHOOK_ALLOW": "127.0.0.1/32,::1/128",
                **self.stream_env(),
                **self.keys.env("notify"),
                **extra_env,
            }, self.workdir, name=f"notify{i}" if i else "notify"))

    @property
    def notify(self):
        return self.notifiers[0]

    def start(self):
        """Starts every part; when one fails, stops what was started (keeping the logs) and raises,
        so a failed start never leaves processes behind."""
        try:
            self.db.migrate()
            if self.mail:
                self.mail.start()
            for intake in self.intakes:
                intake.start()
            for stats in self.stats_replicas:
                stats.start()
            for svc in self.lifecycle_services() + self.notifiers:
                svc.start()
            self.gateway.start()
        except BaseException:
            self.stop(failed=True)
            raise
        return self

    def lifecycle_services(self):
        return [svc for replicas in self.lifecycle.values() for svc in replicas]

    @property
    def verify(self):
        return self.lifecycle["verify"][0]

    @property
    def route(self):
        return self.lifecycle["route"][0]

    def clock_offset(self):
        """Seconds the services' lifecycle clock is ahead of the wall clock."""
        if not os.path.exists(self.clock_file):
            return 0
        with open(self.clock_file) as f:
            return int(f.read().strip() or 0)

    def advance_days(self, days):
        """Moves every service's lifecycle clock `days` further (whole seconds; cumulative)."""
        offset = self.clock_offset() + int(days * 86400)
        tmp = self.clock_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{offset}\n")
        os.replace(tmp, self.clock_file)

    def create_staff(self, username, role, institution, password="rahasia-sekali-123", email=None):
        """An account made the way an operator makes the first admin: aduan-admin as the gateway's role
        (staff is the gateway's table), password on stdin."""
        done = subprocess.run([os.path.join(BIN_DIR, "aduan-admin"), "create-staff", username, role, institution,
                               f"Staf {username}"] + ([email] if email else []), input=(password + "\n").encode(),
                              env={**os.environ, "ADUAN_DB_URL": self.db.service_url("aduan-gateway")},
                              capture_output=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"aduan-admin failed: {done.stderr.decode()}")
        return password

    def login(self, username, password="rahasia-sekali-123"):
        """A session token for the account (Authorization header ready to send)."""
        status, _, doc = self.json("POST", "/api/v1/sessions", {"username": username, "password": password})
        if status != 201:
            raise RuntimeError(f"sign-in of {username} answered {status}: {doc}")
        return {"Authorization": f"Bearer {doc['token']}"}

    def survey_codes(self, auth, institution, count):
        """One-time survey codes for service users of the institution, issued by an admin."""
        status, _, doc = self.json("POST", "/api/v1/survey-codes", {"institution": institution, "count": count}, auth)
        if status != 201:
            raise RuntimeError(f"issuing survey codes answered {status}: {doc}")
        return doc["codes"]

    def staff_sessions(self, staff):
        """{name: (role, institution)} → {name: Authorization header}: each account made and signed in."""
        sessions = {}
        for name, (role, institution) in staff.items():
            self.create_staff(name, role, institution)
            sessions[name] = self.login(name)
        return sessions

    def rebuild_stats(self, timeout=60):
        """aduan-admin rebuild-stats against every stats replica; the finished process."""
        return subprocess.run([os.path.join(BIN_DIR, "aduan-admin"), "rebuild-stats"], capture_output=True,
                              env={**os.environ, "ADUAN_STATS_ENDPOINTS": self.stats_endpoints(),
                                   **self.keys.env("admin")}, timeout=timeout)

    def wait_stats_counted(self, timeout=30):
        """Until aduan-stats has counted every event that changes a report's numbers. An event the
        hub has not numbered yet is still to be counted: stats will see it once it has a number."""
        self.wait_for(lambda: self.db.scalar(
            "SELECT NOT EXISTS (SELECT 1 FROM events e WHERE e.tracking_id IS NOT NULL "
            "AND e.type <> 'report.closing_soon' AND (e.seq IS NULL OR NOT EXISTS (SELECT 1 FROM stat_reports s "
            "WHERE s.tracking_id = e.tracking_id AND s.last_seq >= e.seq)))") == "t", timeout,
            "the statistics to count every event")

    def act(self, tracking_id, auth, action, **fields):
        """POST /reports/{id}/actions; returns (status, document)."""
        status, _, doc = self.json("POST", f"/api/v1/reports/{tracking_id}/actions", {"action": action, **fields}, auth)
        return status, doc

    def wait_for(self, predicate, timeout=20, what="condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}")

    def stream_env(self):
        """The settings a stream consumer (aduan-tail, a consumer group member) needs."""
        return {"ADUAN_STREAM_ENDPOINTS": self.stream_endpoint,
                "ADUAN_REPLAY_ENDPOINTS": self.replay_endpoint}

    def consumer(self, binary, name, extra_env=None):
        """A further service process (e.g. a consumer group member) on this system's database, with
        the key of its program."""
        env = {"ADUAN_DB_URL": self.db.service_url(binary), "ADUAN_ADMIN_ADDR": f"127.0.0.1:{free_port()}",
               "ADUAN_LOG_LEVEL": "info", **self.keys.env(binary[len("aduan-"):])}
        env.update(self.stream_env() if self.stats else {})
        env.update(extra_env or {})
        svc = Service(binary, env, self.workdir, name=name)
        self.extra.append(svc)
        return svc

    def tail(self, *args):
        """aduan-tail as a process writing JSON lines to a file; returns (Popen, path)."""
        path = os.path.join(self.workdir, f"tail.{len(self.tails)}.jsonl")
        out = open(path, "wb")
        err = open(path + ".log", "wb")
        proc = subprocess.Popen([os.path.join(BIN_DIR, "aduan-tail"),
                                 "--endpoints", self.stream_endpoint,
                                 "--replay", self.replay_endpoint, *args],
                                stdout=out, stderr=err, env={**os.environ, **self.keys.env("tail")})
        out.close()
        err.close()
        self.tails.append(proc)
        return proc, path

    @property
    def intake(self):
        return self.intakes[0]

    def request(self, method, path, body=None, headers=None, timeout=30):
        """Returns (status, headers dict with lower-case names, raw body bytes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=timeout)
        try:
            hdrs = dict(headers or {})
            if isinstance(body, (dict, list)):
                body = json.dumps(body).encode()
                hdrs.setdefault("Content-Type", "application/json")
            elif isinstance(body, str):
                body = body.encode()
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def json(self, method, path, body=None, headers=None):
        status, hdrs, raw = self.request(method, path, body, headers)
        return status, hdrs, (json.loads(raw) if raw else None)

    def stop(self, failed=False):
        codes = {}
        for proc in self.tails:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        for svc in ([self.gateway] + self.extra + self.notifiers + self.lifecycle_services()
                    + self.stats_replicas + self.intakes):
            if svc.proc is None:
                continue
            try:
                codes[svc.name] = svc.stop()
            except RuntimeError as e:
                codes[svc.name] = str(e)
        if self.mail:
            self.mail.stop()
        self.db.drop()
        # A service that did not exit 0 on SIGTERM is a failure too: keep what it logged.
        if failed or any(code != 0 for code in codes.values()):
            print(f"logs kept in {self.workdir}: exit codes {codes}", flush=True)
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)
        return codes


class SystemTestCase(unittest.TestCase):
    """A test class sharing one running System (cls.sys, made in setUpClass by the subclass).
    Logs are kept when any test failed, and every service must exit 0 on SIGTERM at the end."""
    failed = False

    @classmethod
    def tearDownClass(cls):
        codes = cls.sys.stop(failed=cls.failed)
        for name, code in codes.items():
            if code != 0:
                raise AssertionError(f"{name} did not exit 0 on SIGTERM: {code}")

    def run(self, result=None):
        result = super().run(result)
        if result is not None and not result.wasSuccessful():
            type(self).failed = True
        return result


def tiny_png(width=4, height=3):
    """A small valid PNG (no image library on the test side)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x80\x20\x20" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def photo_form(token):
    """The body and headers of POST /api/v1/reports/{id}/attachments with tiny_png() as the file,
    from the reporter whose token it is."""
    boundary = "aduanphoto"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n"
            "Content-Type: image/png\r\n\r\n").encode() + tiny_png() + f"\r\n--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}", "Authorization": f"Bearer {token}"}


def valid_report(**overrides):
    report = {
        "classification": "complaint",
        "title": "Jalan berlubang di depan pasar",
        "body": "Lubang besar di jalan depan Pasar Jodoh sudah dua minggu, membahayakan pengendara motor.",
        "category": "JALAN.BERLUBANG",
        "region": "21.71",
        "incident_date": "2026-11-20",
        "location": {"address": "Jl. Raden Patah, Lubuk Baja", "lat": 1.1456, "lon": 104.0113},
        "anonymous": False,
        "confidential": False,
        "reporter": {"name": "Siti Rahmawati", "email": "siti.rahma@example.org", "phone": "+62 812-7000-1234"},
    }
    report.update(overrides)
    return report


def read_jsonl(path):
    """The complete lines of a JSON-lines file written by a running process."""
    with open(path, "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    return [json.loads(line) for line in lines[:-1] if line.strip()]
