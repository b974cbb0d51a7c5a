"""An open-loop POST /api/v1/reports load at a fixed arrival rate (wrk2-style), for
tests/bench/load_bench.py.

Request i is due at start + i / rate whether or not earlier ones have been answered; a pool of
keep-alive connections takes the due requests in order. Each latency is measured from the
request's due time, not from when a connection was free to send it, so a server that stalls is
charged for every request that queued behind the stall (the coordinated omission a closed loop
such as wrk hides). The reports are those of submit.lua: varied text, in every 100 a burst of 30
near-duplicates, a third anonymous; with contact=False no reporter gives an e-mail address or a
phone number (so notify has nobody to tell), otherwise half of the named ones give an e-mail.
This module builds the requests and reads the times; aduan-open-loop (tests/bench/open_loop_sender.c,
in $ADUAN_BIN_DIR) sends them, so the load costs the services on the same cores little CPU.

    ADUAN_BIN_DIR=BUILD/bin /usr/bin/python3 tests/bench/open_loop.py PORT RATE SECONDS REGION CATEGORY[,CATEGORY...] [--no-contact]
"""
import argparse
import json
import os
import random
import subprocess
import time

WORDS = ("jalan rusak berlubang lampu mati sampah menumpuk banjir saluran tersumbat pungutan liar sekolah guru "
         "puskesmas antrean lama obat kosong air keruh listrik padam jembatan retak pasar becek parkir macet angkot "
         "izin lambat pelayanan kantor desa kecamatan bantuan sosial tidak tepat").split()


def report(counter, regions, categories, contact, rng):
    """The counter-th report of a run, as submit.lua builds it."""
    if counter % 100 < 30:
        title = "Banjir setinggi lutut di jalan utama"
        body = (f"Banjir setinggi lutut di jalan utama sejak pagi, air tidak surut, rumah nomor {counter % 17} "
                f"kemasukan air. {rng.choice(WORDS)}")
    else:
        title = " ".join(rng.choice(WORDS) for _ in range(4))
        body = " ".join(rng.choice(WORDS) for _ in range(25)) + f" nomor {counter}"
    doc = {"classification": "complaint", "title": title, "body": body,
           "category": categories[counter % len(categories)],
           "region": regions[(counter // len(categories)) % len(regions)], "incident_date": "2026-11-20",
           "location": {"address": f"Jl. Raden Patah {counter % 90}"}, "anonymous": counter % 3 == 0,
           "confidential": False}
    if not doc["anonymous"]:
        doc["reporter"] = {"name": f"Warga {counter}"}
        if contact:
            doc["reporter"]["phone"] = f"+62 812-7000-{counter % 10000:04d}"
            if counter % 2 == 0:
                doc["reporter"]["email"] = f"o{counter}@example.org"
    return doc


def http_request(port, key, doc):
    body = json.dumps(doc).encode()
    head = (f"POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Idempotency-Key: {key}\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


def sender_path():
    path = os.path.join(os.environ.get("ADUAN_BIN_DIR", ""), "aduan-open-loop")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"{path} is missing: build the project and set ADUAN_BIN_DIR to its bin/ folder")
    return path


def send(port, rate, requests, connections, timeout):
    """Runs aduan-open-loop over the requests: (seconds until the last ended, its CPU seconds,
    [(due, written, answered, status)] in ms from the start, status 0 for a time-out and -1 for a
    failure, the start's wall clock in seconds since the epoch)."""
    stream = b"".join(b"%d\n" % len(r) + r for r in requests)
    done = subprocess.run([sender_path(), str(port), repr(float(rate)), str(connections), str(int(timeout * 1000))],
                          input=stream, capture_output=True, check=True)
    lines = done.stdout.decode().splitlines()
    _, elapsed_ms, _, cpu_ms, _, started = lines[0].split()
    ended = []
    for line in lines[1:]:
        _, due, written, answered, status = line.split()
        ended.append((float(due), float(written), float(answered), int(status)))
    return float(elapsed_ms) / 1000, float(cpu_ms) / 1000, ended, float(started)


class Run:
    def __init__(self, port, rate, seconds, regions, categories, contact, connections, timeout):
        self.port, self.rate, self.seconds, self.timeout = port, rate, seconds, timeout
        self.regions, self.categories, self.contact = regions, categories, contact
        self.connections = connections
        self.latencies_ms, self.statuses, self.timeouts, self.errors = [], {}, 0, 0
        self.sender_cpu_s = 0.0
        self.started = 0.0
        # (due s from the start, due to written ms, written to answered ms) of each answer: where a
        # slow one waited, in the sender (no free connection) or in the server.
        self.samples = []
        self.silence = (0.0, 0.0, 0)
        self.tag = f"open-{time.time_ns()}"
        self.rng = random.Random(self.tag)

    def main(self):
        total = int(self.rate * self.seconds)
        requests = [http_request(self.port, f"{self.tag}-{counter}",
                                 report(counter, self.regions, self.categories, self.contact, self.rng))
                    for counter in range(total)]
        elapsed, self.sender_cpu_s, ended, self.started = send(self.port, self.rate, requests, self.connections, self.timeout)
        self.silence = longest_silence(ended)
        for due, written, answered, status in ended:
            if status == 0:
                self.timeouts += 1
            elif status < 0:
                self.errors += 1
            else:
                self.latencies_ms.append(answered - due)
                self.samples.append((due / 1000, written - due, answered - written))
                self.statuses[status] = self.statuses.get(status, 0) + 1
        return elapsed


def slow_share(samples, threshold_ms):
    """Of the answers slower than threshold_ms: the p50 of their wait before being written and
    of the server's part, and the seconds of the run they were due in with how many each
    (clustered: stalls; spread: queueing)."""
    slow = [s for s in samples if s[1] + s[2] > threshold_ms]
    seconds = {}
    for due, _, _ in slow:
        seconds[int(due)] = seconds.get(int(due), 0) + 1
    return {"count": len(slow), "client_wait_p50_ms": percentile(sorted(s[1] for s in slow), 50),
            "server_p50_ms": percentile(sorted(s[2] for s in slow), 50),
            "by_second": dict(sorted(seconds.items(), key=lambda kv: -kv[1])[:8])}


def longest_silence(ended):
    """The longest time in which no answer came while written requests waited for one: (ms, its
    start in s from the run's start, how many requests were waiting when it ended). A stall of the
    server shows as one long silence with requests in flight; a queue in the sender for want of a
    free connection does not, since the connections it waits for keep being answered."""
    # At the same instant a write comes before an answer, so a request is never answered before
    # it is counted in flight.
    moments = sorted([(w, 0, 1) for _, w, a, status in ended if status > 0] +
                     [(a, 1, -1) for _, w, a, status in ended if status > 0])
    longest = (0.0, 0.0, 0)
    in_flight, last_answer, busy_since = 0, 0.0, None
    for at, _, change in moments:
        if change > 0:
            busy_since = at if in_flight == 0 else busy_since
        else:
            since = max(last_answer, busy_since)
            if at - since > longest[0]:
                longest = (at - since, since / 1000, in_flight)
            last_answer = at
            busy_since = None if in_flight == 1 else busy_since
        in_flight += change
    return longest


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p / 100))]


def run(port, rate, seconds, regions, categories, contact=True, connections=64, timeout=10.0):
    """Offers `rate` submissions a second for `seconds`; returns sent, ok (201), refused (other
    statuses), time-outs, errors, the time until the last answer, the accepted rate and
    p50/p99/p99.9 in ms from the due time."""
    r = Run(port, rate, seconds, regions, categories, contact, connections, timeout)
    elapsed = r.main()
    lat = sorted(r.latencies_ms)
    ok = r.statuses.get(201, 0)
    return {"rate": rate, "sent": int(rate * seconds), "ok": ok, "refused": len(lat) - ok, "timeout": r.timeouts,
            "errors": r.errors, "elapsed_s": elapsed, "ok_per_s": ok / elapsed, "p50_ms": percentile(lat, 50),
            "p99_ms": percentile(lat, 99), "p999_ms": percentile(lat, 99.9), "max_ms": lat[-1] if lat else 0.0,
            "statuses": r.statuses, "sender_cpu_s": r.sender_cpu_s, "started": r.started, "client_wait_p99_ms": percentile(sorted(s[1] for s in r.samples), 99),
            "server_p99_ms": percentile(sorted(s[2] for s in r.samples), 99),
            "over_p99": slow_share(r.samples, percentile(lat, 99)),
            "silence": {"ms": r.silence[0], "at_s": r.silence[1], "waiting": r.silence[2]}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("rate", type=float)
    ap.add_argument("seconds", type=float)
    ap.add_argument("regions")
    ap.add_argument("categories")
    ap.add_argument("--no-contact", action="store_true")
    ap.add_argument("--connections", type=int, default=64)
    a = ap.parse_args()
    print(json.dumps(run(a.port, a.rate, a.seconds, a.regions.split(","), a.categories.split(","),
                         not a.no_contact, a.connections)))


if __name__ == "__main__":
    main()
