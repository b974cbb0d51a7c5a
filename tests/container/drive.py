"""The container test's load and its counts (called by tests/container/run.sh, which starts the stack).

Submits N reports through both gateways (every tenth is also verified by a national admin, so that
aduan-route has work), SIGKILLs one replica of each service when 40 % are in, starts them again, and
when the system has settled checks, exactly:

  * every report that got a 201 reached its automatic end state exactly once. Without staff a report
    ends at the verification desk: status `waiting_verification`, one `report.submitted` event, its
    pre-checks recorded by aduan-verify, counted by aduan-stats up to its last event, and the
    reporter's e-mail delivered by aduan-notify. A verified one ends `dispatched` by aduan-route,
    with one `report.verified` and one `report.dispatched` event. No report exists that no client
    was told about;
  * the stream has no gap: aduan-tail --from 0 prints seq 1..head, each once, and head is the
    number of events in the log;
  * every e-mail delivery arrived at the mail sink under its delivery id, once — a repeat is only
    allowed for an attempt that a kill interrupted or whose answer timed out (docs/notifications.md),
    and is counted.

Everything it waits for is bounded; it exits 1 with the reason on the first count that is wrong.
The stream is read by aduan-tail with the run's `analytics` key (KEYS_DIR, every link is CURVE).
Usage: drive.py PROJECT IMAGE MAIL_DIR STAFF_PASSWORD_FILE N KEYS_DIR
"""
import collections
import concurrent.futures
import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time

PROJECT, IMAGE, MAIL_DIR, PASSWORD_FILE, N, KEYS_DIR = sys.argv[1:7]
N = int(N)
VERIFY_EVERY = 10
KILL_AT = 0.4
WORKERS = 8
ATTEMPTS = 40            # per request, 0.25 s apart and more: a request outlives any restart
SETTLE_SECONDS = 300
KILLED = ["intake-1_1", "verify-1_1", "route-1_1", "notify-1_1", "stats-1_1", "gateway_1"]


def log(msg):
    print(f"drive: {msg}", flush=True)


def fail(msg):
    log(f"FAILED: {msg}")
    sys.exit(1)


def podman(*args, check=True, timeout=120):
    return subprocess.run(["podman", *args], check=check, timeout=timeout, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE).stdout


def sql(query):
    """One value or rows (tab-separated) from the database, as the owner inside its container."""
    return podman("exec", f"{PROJECT}_postgres_1", "psql", "-U", "aduan", "-d", "aduan", "-XAtq",
                  "-v", "ON_ERROR_STOP=1", "-c", query).strip()


def count(query):
    return int(sql(query) or 0)


def gateway_port(num):
    out = podman("port", f"{PROJECT}_gateway_{num}", "8080/tcp", check=False).strip()
    return int(out.rsplit(":", 1)[1]) if out else None


class Gateways:
    """Both gateways by their published ports on 127.0.0.1; re-read after a restart."""

    def __init__(self):
        self.ports = {1: gateway_port(1), 2: gateway_port(2)}

    def refresh(self):
        for num in (1, 2):
            self.ports[num] = gateway_port(num) or self.ports[num]

    def request(self, num, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.ports[num], timeout=15)
        try:
            data = json.dumps(body).encode() if body is not None else None
            hdrs = {"Content-Type": "application/json", **(headers or {})}
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            raw = resp.read()
            return resp.status, (json.loads(raw) if raw else None)
        finally:
            conn.close()

    def until(self, first, ok_status, method, path, body=None, headers=None):
        """Sends until a gateway answers ok_status, alternating gateways; the Idempotency-Key in
        headers makes the resends safe. Returns (document, attempts)."""
        last = None
        for attempt in range(ATTEMPTS):
            num = 1 + (first + attempt) % 2
            try:
                status, doc = self.request(num, method, path, body, headers)
                if status == ok_status:
                    return doc, attempt + 1
                if status < 500 and status not in (409, 429):
                    fail(f"{method} {path} via gateway {num}: {status} {doc}")
                last = f"{status} {doc}"
            except (OSError, http.client.HTTPException, ValueError) as exc:
                last = repr(exc)
            time.sleep(min(0.25 * (attempt + 1), 2.0))
        fail(f"{method} {path}: no {ok_status} after {ATTEMPTS} attempts, last {last}")


CATEGORIES = ["PU.DRAINASE", "PU.AIR", "PU.BANJIR", "JALAN.BERLUBANG", "JALAN.PJU", "JALAN.TROTOAR",
              "SOSIAL.BANSOS", "DUKCAPIL.KTP", "HUB.ANGKUTAN", "HUB.PARKIR", "TRANTIB.PKL", "KES.PUSKESMAS",
              "DIK.SEKOLAH", "LAIN.UMUM"]
REGIONS = ["21.01", "21.02", "21.03", "21.04", "21.05", "21.71", "21.72"]
WORDS = ("jalan rusak lampu mati air keruh banjir sampah menumpuk antrean panjang petugas lambat sekolah "
         "puskesmas tutup parkir liar pedagang trotoar bantuan belum cair kartu hilang angkutan terlambat "
         "selokan mampet pohon tumbang kabel putus bau menyengat suara bising dokumen ditolak biaya pungutan "
         "jembatan retak genangan licin gelap malam pagi sore minggu bulan warga anak lansia pasar kantor").split()


def report(i):
    """Distinct enough that pre-checks find few duplicates: the pg_trgm search compares a report
    with the others of its region and category, and thousands of near-copies would make the test
    measure that instead."""
    rng = random.Random(i)
    words = lambda n: " ".join(rng.choice(WORDS) for _ in range(n))
    return {
        "classification": "complaint",
        "title": f"{words(4).capitalize()} nomor {i}",
        "body": f"{words(14).capitalize()}, sudah {1 + i % 9} minggu. Laporan {i}.",
        "category": CATEGORIES[i % len(CATEGORIES)],
        "region": REGIONS[(i // len(CATEGORIES)) % len(REGIONS)],
        "incident_date": "2026-11-20",
        "location": {"address": f"Jl. Raden Patah {i}, Lubuk Baja", "lat": 1.1456, "lon": 104.0113},
        "reporter": {"name": f"Pelapor {i}", "email": f"pelapor{i}@example.org"},
    }


def kill_and_restart(gateways):
    """SIGKILL one replica of each service, keep them down 3 s, start them again."""
    names = [f"{PROJECT}_{name}" for name in KILLED]
    for name in names:
        podman("kill", "--signal", "KILL", name)
    log(f"SIGKILLed {', '.join(KILLED)}")
    time.sleep(3)
    restarted_by_podman = []
    for name in names:
        state = podman("inspect", "--format", "{{.State.Status}}", name).strip()
        if state == "running":
            restarted_by_podman.append(name)   # the restart policy was quicker
        else:
            podman("start", name)
    log(f"started again ({len(restarted_by_podman)} already restarted by their restart policy)")
    gateways.refresh()


def submit_all(gateways, token, run_id):
    confirmed, verified, resends = {}, set(), collections.Counter()
    lock = threading.Lock()

    def one(i):
        doc, attempts = gateways.until(i % 2, 201, "POST", "/api/v1/reports", report(i),
                                       {"Idempotency-Key": f"{run_id}-submit-{i}"})
        with lock:
            confirmed[i] = doc["tracking_id"]
            resends["submit"] += attempts - 1
        if i % VERIFY_EVERY == 0:
            _, attempts = gateways.until(i % 2, 200, "POST", f"/api/v1/reports/{doc['tracking_id']}/actions",
                                         {"action": "verify"},
                                         {"Authorization": f"Bearer {token}",
                                          "Idempotency-Key": f"{run_id}-verify-{i}"})
            with lock:
                verified.add(doc["tracking_id"])
                resends["verify"] += attempts - 1

    kill_errors = []

    def killer():
        try:
            kill_and_restart(gateways)
        except Exception as exc:  # reported after the submissions
            kill_errors.append(repr(exc))

    kill_thread = threading.Thread(target=killer)   # runs beside the submissions
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        futures = [pool.submit(one, i) for i in range(N)]
        for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
            future.result()
            if done >= KILL_AT * N and not kill_thread.is_alive() and not kill_thread.ident:
                kill_thread.start()
    kill_thread.join()
    elapsed = time.monotonic() - started
    if kill_errors or not kill_thread.ident:
        fail(f"the kills did not happen: {kill_errors}")
    if len(set(confirmed.values())) != N:
        fail(f"{N} submissions confirmed, but {len(set(confirmed.values()))} distinct tracking ids")
    log(f"{N} reports got 201 ({len(verified)} verified) in {elapsed:.1f} s, {N / elapsed:.0f}/s; "
        f"resent: {resends['submit']} submissions, {resends['verify']} verifications")
    return set(confirmed.values()), verified


def wait_settled(n, n_verified):
    """Until the automatic steps are done, or SETTLE_SECONDS. Every check is read in one statement
    (one snapshot), so no step can finish between two of them; and the whole must hold in two
    rounds in a row, since a step not yet begun (a notify replica's partitions waiting to be taken
    over) leaves the others looking done."""
    deadline = time.monotonic() + SETTLE_SECONDS
    checks = {
        "pre-checks": f"(SELECT count(*) = {n} FROM report_prechecks)",
        "dispatched": f"(SELECT count(*) = {n_verified} FROM reports WHERE status = 'dispatched')",
        "numbered": "NOT EXISTS (SELECT 1 FROM events WHERE seq IS NULL)",
        "counted": "(SELECT count(*) = (SELECT count(*) FROM reports) FROM stat_reports s "
                   "WHERE s.last_seq = (SELECT max(seq) FROM events e WHERE e.tracking_id = s.tracking_id))",
        "e-mails delivered": "(SELECT count(*) FILTER (WHERE recipient_kind = 'reporter' AND "
                             f"event_type = 'report.submitted') = {n} AND bool_and(status = 'delivered') "
                             "FROM deliveries WHERE channel = 'email')",
    }
    names = list(checks)
    query = "SELECT concat_ws('|', " + ", ".join(f"coalesce({q}, false)::int" for q in checks.values()) + ")"
    pending, rounds_held = names, 0
    while rounds_held < 2 and time.monotonic() < deadline:
        pending = [name for name, held in zip(names, sql(query).split("|")) if held != "1"]
        rounds_held = rounds_held + 1 if not pending else 0
        if rounds_held < 2:
            time.sleep(2)
    if rounds_held < 2:
        fail(f"not settled after {SETTLE_SECONDS} s: {', '.join(pending) or 'held once, not twice'}")


def check_end_states(confirmed, verified):
    n, n_verified = len(confirmed), len(verified)
    db_ids = set(sql("SELECT tracking_id FROM reports").split())
    if db_ids != confirmed:
        fail(f"reports in the database {len(db_ids)}, confirmed {n}: "
             f"{len(db_ids - confirmed)} nobody was told of, {len(confirmed - db_ids)} missing")
    per_type = dict(line.split("|") for line in sql(
        "SELECT type, count(*) FROM events GROUP BY type").splitlines())
    expected = {"report.submitted": n, "report.verified": n_verified, "report.dispatched": n_verified}
    for event_type, want in expected.items():
        if int(per_type.get(event_type, 0)) != want:
            fail(f"{per_type.get(event_type, 0)} {event_type} events, expected {want}")
    twice = count("SELECT count(*) FROM (SELECT tracking_id, type FROM events WHERE tracking_id IS NOT NULL GROUP BY 1, 2 "
                  "HAVING count(*) > 1) t")
    if twice:
        fail(f"{twice} reports have an event type more than once")
    statuses = dict(line.split("|") for line in sql(
        "SELECT status, count(*) FROM reports GROUP BY status").splitlines())
    if statuses != {k: str(v) for k, v in
                    {"waiting_verification": n - n_verified, "dispatched": n_verified}.items() if v}:
        fail(f"statuses {statuses}")
    wrong = count("SELECT count(*) FROM reports r WHERE (r.status = 'dispatched') <> (r.tracking_id = ANY("
                  f"'{{{','.join(sorted(verified))}}}'::text[]))")
    if wrong:
        fail(f"{wrong} reports are dispatched but were not verified, or the reverse")
    if count("SELECT count(*) FROM report_prechecks") != n:
        fail("pre-checks are not one per report")
    if count("SELECT count(*) FROM stat_reports") != n:
        fail("statistics rows are not one per report")
    reporter_mails = count("SELECT count(*) FROM deliveries WHERE channel = 'email' AND "
                           "recipient_kind = 'reporter' AND event_type = 'report.submitted'")
    if reporter_mails != n:
        fail(f"{reporter_mails} 'received' e-mails to reporters, expected {n}")
    log(f"end states: {n - n_verified} waiting_verification with pre-checks, {n_verified} dispatched; "
        f"events {per_type}; each once")


def check_stream():
    head = count("SELECT coalesce(max(seq), 0) FROM events")
    total = count("SELECT count(*) FROM events")
    tail = f"{PROJECT}_tail"
    try:
        # It exits 3 s after it has caught up; a gap it cannot fill keeps it waiting.
        out = podman("run", "--rm", "--name", tail, "--network", f"{PROJECT}_default",
                     "-v", f"{KEYS_DIR}:/keys:ro", "-e", "ADUAN_CURVE_PEERS=/keys",
                     "-e", "ADUAN_CURVE_SECRET=/keys/analytics.cert_secret", IMAGE, "aduan-tail",
                     "--from", "0", "--idle-exit", "3000", "--endpoints", "tcp://stats-1:7110,tcp://stats-2:7110",
                     "--replay", "tcp://stats-1:7111,tcp://stats-2:7111", timeout=180)
    except subprocess.TimeoutExpired:
        podman("rm", "-f", tail, check=False)
        fail(f"stream: aduan-tail --from 0 did not catch up with head {head} in 180 s (a gap it cannot fill?)")
    seqs = [json.loads(line)["seq"] for line in out.splitlines() if line.strip()]
    if seqs != list(range(1, head + 1)) or head != total:
        dupes = len(seqs) - len(set(seqs))
        fail(f"stream: {len(seqs)} events printed, {dupes} twice, head {head}, log {total}; "
             f"first gap after {next((a for a, b in zip(seqs, seqs[1:]) if b != a + 1), None)}")
    log(f"stream: aduan-tail --from 0 printed seq 1..{head}, dense, each once")


def check_mail():
    db_ids = set(sql("SELECT delivery_id FROM deliveries WHERE channel = 'email'").split())
    with open(os.path.join(MAIL_DIR, "index.jsonl"), encoding="utf-8") as index:
        arrived = collections.Counter(json.loads(line)["message_id"].strip("<>").split("@")[0]
                                      for line in index if line.strip())
    if set(arrived) != db_ids:
        fail(f"mail: {len(db_ids)} e-mail deliveries, {len(arrived)} distinct ids arrived; "
             f"{len(db_ids - set(arrived))} never arrived, {len(set(arrived) - db_ids)} unknown")
    # A delivery may arrive again only after an attempt of its own that may have reached the server
    # unanswered: one a kill interrupted, or one whose answer came after the time limit
    # (docs/notifications.md, "At least once").
    unanswered = collections.Counter(dict(
        (delivery_id, int(n)) for delivery_id, n in (line.split("|") for line in sql(
            "SELECT d.delivery_id, count(*) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id "
            "WHERE d.channel = 'email' AND (a.outcome = 'interrupted' "
            "  OR (a.outcome = 'failed' AND a.detail ~* 'time(d)? ?out')) GROUP BY 1").splitlines())))
    unexcused = {d: c for d, c in arrived.items() if c - 1 > unanswered[d]}
    if unexcused:
        ids = ",".join(sorted(unexcused)[:5])
        attempts = sql("SELECT d.delivery_id, a.attempt, a.outcome, a.started_at, a.finished_at, a.detail "
                       "FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id "
                       f"WHERE d.delivery_id = ANY('{{{ids}}}'::text[]) ORDER BY 1, 2")
        fail(f"mail: {len(unexcused)} deliveries arrived more often than their unanswered attempts allow, "
             f"e.g. {next(iter(unexcused))}; their attempts:\n{attempts}")
    repeats = sum(c - 1 for c in arrived.values())
    log(f"mail: {len(db_ids)} e-mail deliveries, each arrived by its id; {repeats} repeats, each after "
        f"an attempt interrupted by the kill or timed out ({sum(unanswered.values())} such attempts)")


def main():
    run_id = f"{PROJECT}-{int(time.time())}"
    gateways = Gateways()
    with open(PASSWORD_FILE, encoding="utf-8") as f:
        password = f.read().strip()
    doc, _ = gateways.until(0, 201, "POST", "/api/v1/sessions", {"username": "nas", "password": password})
    confirmed, verified = submit_all(gateways, doc["token"], run_id)
    started = time.monotonic()
    wait_settled(len(confirmed), len(verified))
    log(f"settled {time.monotonic() - started:.1f} s after the last submission")
    check_end_states(confirmed, verified)
    check_stream()
    check_mail()
    log("all counts right")


if __name__ == "__main__":
    main()
