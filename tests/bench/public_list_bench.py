"""Public list benchmark: prints figures, asserts nothing (not a timed test). REPORTS reports
(default 100 000) are copied in SQL from one submitted through the API, with varied words, regions,
dates and pins and one in ten confidential; then each query of the /laporan page and of the form's
"support this one instead" is asked 9 times through the gateway, and the median and max printed.
    python3 tests/bench/public_list_bench.py [BUILD_DIR] [REPORTS]"""
import statistics
import time

from bench_setup import arguments

BUILD, REPORTS = arguments(100000)

from aduan_harness import Cluster, System, valid_report  # noqa: E402

WORDS = "jalan lampu sampah banjir pasar sekolah air listrik trotoar parkir pungutan antre loket puskesmas".split()

COPY_SQL = """
INSERT INTO reports (tracking_id, classification, title, body, category_code, region_code, address, lat, lon,
                     anonymous, confidential, channel, status, reporter_token_hash, submitted_at, updated_at)
SELECT substr(lpad(upper(to_hex(n)), 8, '0'), 1, 4) || '-' || substr(lpad(upper(to_hex(n)), 8, '0'), 5, 4) || '-BNCH',
       t.classification, w[1 + n % 14] || ' ' || w[1 + (n / 14) % 14] || ' nomor ' || n,
       'Keluhan ' || w[1 + (n / 7) % 14] || ' dan ' || w[1 + (n / 3) % 14] || ' di lingkungan ' || n, t.category_code,
       (ARRAY['21.71', '21.72', '21.01', '21.02'])[1 + n % 4], t.address,
       1.0 + (n % 1000) / 2000.0, 104.0 + (n / 1000 % 100) / 500.0, n % 13 = 0, n % 10 = 0, t.channel,
       (ARRAY['waiting_verification', 'verified', 'in_process', 'closed_by_admin'])[1 + n % 4],
       t.reporter_token_hash, now() - (n % 700) * interval '1 day', now()
FROM generate_series(1, @REPORTS@) n, (SELECT * FROM reports LIMIT 1) t,
     (SELECT ARRAY[@WORDS@] AS w) words
"""

QUERIES = [
    ("first page, no filter", ""),
    ("full text, one word", "q=banjir"),
    ("full text, two words", "q=banjir+pasar"),
    ("category + region + bucket", "category=JALAN&region=21.71&status=in_process"),
    ("period of one month", "from=2026-01-01&to=2026-01-31"),
    ("page 100 (offset 2000)", "offset=2000"),
    ("similar, near a pin", "similar=lampu+jalan+padam+di+pasar&lat=1.2&lon=104.05"),
    ("similar, anywhere", "similar=sampah+menumpuk+di+sekolah"),
]


def main():
    cluster = Cluster("list-bench")
    system = System("list-bench", cluster_url=cluster.url)
    try:
        system.start()
        status, _, doc = system.json("POST", "/api/v1/reports", valid_report())
        assert status == 201, doc
        words = ", ".join(f"'{w}'" for w in WORDS)
        started = time.monotonic()
        system.db.scalar(COPY_SQL.replace("@REPORTS@", str(REPORTS)).replace("@WORDS@", words) + "; ANALYZE reports")
        print(f"{REPORTS} reports copied in {time.monotonic() - started:.1f} s")
        for name, query in QUERIES:
            samples = []
            for _ in range(9):
                started = time.monotonic()
                status, _, body = system.request("GET", "/api/v1/reports?" + query)
                samples.append((time.monotonic() - started) * 1000)
                assert status == 200, body[:300]
            print(f"{name}: median {statistics.median(samples):.1f} ms, max {max(samples):.1f} ms ({len(body)} bytes)")
    finally:
        system.stop()
        cluster.destroy()


if __name__ == "__main__":
    main()
