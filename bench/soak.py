"""Soak: Blisko as served (gunicorn with config/gunicorn.conf.py, PostGIS) under mixed traffic
for SOAK_SECONDS (default 600), with PostgreSQL restarted in the middle.

The load is open-loop (requests start on a schedule, whatever the answers take) at
SOAK_RATE requests/s in all, by default half the capacity of the same mix measured flat out
for SOAK_PROBE_SECONDS (20) on the same server first (the submission capacity of
bench/results/submit.json is recorded beside it): 40 % submissions (POST /api/v1/reports,
each from its own resident), 20 % tracking pages of reports accepted so far, 20 % the public map, 20 % find my
officer. At the middle PostgreSQL is restarted (`pg_ctl restart -m fast`): requests in flight
and during the restart may be refused (503 with Retry-After), never answered 500, and no
report that was accepted may be missing afterwards.

Writes bench/results/soak.json: sent, accepted (2xx), refused (4xx, 503), failed (anything
else: 500s, broken connections, time-outs) by status, p50/p99 per endpoint (timed from
when each request was due, so waiting for a free client thread counts), the restart's time,
the cores kept busy by gunicorn and by the load generator itself, and lost = accepted
tracking codes not found in the database afterwards (must be 0; the script exits 1
otherwise). Run by `make soak`; not part of `make test`.
"""

import json
import os
import random
import resource
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (  # noqa: E402
    RESULTS_DIR,
    ROOT,
    connection_kwargs,
    demo_environment,
    sample_points,
    start_postgis,
    stop_postgis,
)

SECONDS = float(os.environ.get("SOAK_SECONDS", "600"))
TIMEOUT = 30.0
MIX = (("submit", 0.4), ("track", 0.2), ("map", 0.2), ("find_officer", 0.2))
CATEGORIES = ("improper-parking", "speeding", "public-drinking", "vandalism")


PROBE_SECONDS = float(os.environ.get("SOAK_PROBE_SECONDS", "20"))
PROBE_WARMUP_SECONDS = 5.0
PROBE_CLIENTS = 8


def _submission_capacity() -> float | None:
    """The submission capacity measured by bench_submit.py (requests/s), if measured."""
    try:
        records = json.loads((RESULTS_DIR / "submit.json").read_text())
        return next(r["value"] for r in records if r["name"] == "submit_req_per_s")
    except (OSError, StopIteration, ValueError):
        return None


def _mix_capacity(probe: "Soak") -> float:
    """Requests/s of the soak's own mix that this machine answers flat out: PROBE_CLIENTS
    clients, each sending its next request when the last is answered, for PROBE_SECONDS
    after PROBE_WARMUP_SECONDS not counted (each worker's first requests build its
    in-memory indexes). A tracking page or a map costs more than a submission, so the mix's capacity is below
    the submission capacity of `make bench`; soaking at half of the latter would only
    measure a growing queue."""
    kinds = [kind for kind, _ in MIX]
    weights = [weight for _, weight in MIX]
    counted_from = time.monotonic() + PROBE_WARMUP_SECONDS
    deadline = counted_from + PROBE_SECONDS
    answered = [0] * PROBE_CLIENTS

    def client(n: int) -> None:
        i = n
        while (now := time.monotonic()) < deadline:
            probe.one(random.choices(kinds, weights)[0], i, now)
            answered[n] += now >= counted_from
            i += PROBE_CLIENTS

    threads = [threading.Thread(target=client, args=(n,)) for n in range(PROBE_CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(answered) / PROBE_SECONDS


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 2)
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1], 2)


class Soak:
    def __init__(self, base: str, points: list[tuple[float, float]]) -> None:
        self.base = base
        self.points = points
        self.lock = threading.Lock()
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.accepted_codes: list[str] = []
        self.session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=64)
        self.session.mount("http://", adapter)

    def _request(self, kind: str, i: int) -> requests.Response:
        x, y = self.points[i % len(self.points)]
        if kind == "submit":
            return self.session.post(
                f"{self.base}/api/v1/reports",
                json={
                    "category": CATEGORIES[i % len(CATEGORIES)],
                    "lat": y,
                    "lon": x,
                    "description": "Soak",
                },
                headers={
                    "Idempotency-Key": str(uuid.uuid4()),
                    "X-Forwarded-For": f"198.18.{(i >> 8) & 255}.{(i & 255) or 1}",
                },
                timeout=TIMEOUT,
            )
        if kind == "track":
            with self.lock:
                code = random.choice(self.accepted_codes) if self.accepted_codes else None
            if code is None:
                return self.session.get(f"{self.base}/report/", timeout=TIMEOUT)
            return self.session.get(f"{self.base}/report/{code}/", timeout=TIMEOUT)
        if kind == "map":
            zoom = random.choice((8, 11, 14))
            half = {8: 1.5, 11: 0.2, 14: 0.03}[zoom]
            bbox = f"{x - half:.4f},{y - half / 2:.4f},{x + half:.4f},{y + half / 2:.4f}"
            return self.session.get(
                f"{self.base}/api/v1/map", params={"bbox": bbox, "zoom": zoom}, timeout=TIMEOUT
            )
        return self.session.get(
            f"{self.base}/api/v1/officers/find", params={"lat": y, "lon": x}, timeout=TIMEOUT
        )

    def one(self, kind: str, i: int, due: float) -> None:
        """Send request `i`; its time runs from when it was due (time.monotonic()), so a
        request that waited for a free client thread counts its wait too."""
        try:
            response = self._request(kind, i)
            status = str(response.status_code)
            if kind == "submit" and response.status_code == 201:
                code = response.json()["tracking_code"]
                with self.lock:
                    self.accepted_codes.append(code)
        except requests.RequestException as error:
            status = type(error).__name__
        elapsed = (time.monotonic() - due) * 1000
        with self.lock:
            self.statuses[kind][status] += 1
            self.latencies[kind].append(elapsed)


def _restart(pg_dir: str) -> float:
    """Restart the throwaway cluster (fast shutdown); returns how long it took (s)."""
    started = time.perf_counter()
    subprocess.run([str(ROOT / "scripts" / "pg_throwaway.sh"), "restart", pg_dir], check=True)
    return time.perf_counter() - started


def _serve(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = random.randint(20000, 40000)
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    server = subprocess.Popen(
        [gunicorn, "-c", str(ROOT / "config" / "gunicorn.conf.py"), "config.wsgi"],
        env={
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_ACCESS_LOG": "",
            "GUNICORN_LOG_LEVEL": "warning",
        },
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            requests.get(f"{base}/healthz", timeout=1)
            return server, base
        except requests.RequestException:
            time.sleep(0.2)
    server.kill()
    sys.exit("gunicorn did not start")


def main() -> None:
    if os.environ.get("BENCH_POSTGIS_URL"):
        print("soak: starts its own PostgreSQL (it restarts it); BENCH_POSTGIS_URL is ignored")
        os.environ.pop("BENCH_POSTGIS_URL")
    pg_dir, url = start_postgis()
    assert pg_dir is not None
    os.environ["BENCH_POSTGIS_URL"] = url
    try:
        env = demo_environment(
            "blisko_soak",
            BLISKO_REPORT_DAILY_LIMIT="100000000",
            BLISKO_TRUSTED_PROXIES="127.0.0.1",
        )
        points = sample_points(env)
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        server, base = _serve(env)
        served_at, own_before = time.monotonic(), time.process_time()
        probe = Soak(base, points)
        mix_capacity = _mix_capacity(probe)
        rate = float(os.environ.get("SOAK_RATE", "0") or 0) or round(mix_capacity / 2, 1)
        soak = Soak(base, points)
        soak.accepted_codes = list(probe.accepted_codes)  # tracked, and checked at the end
        capacity = {
            "mix_req_per_s": round(mix_capacity, 1),
            "submission_req_per_s": _submission_capacity(),
        }
        print(
            f"soak: the mix answered {mix_capacity:.1f} requests/s flat out "
            f"({PROBE_CLIENTS} clients, {PROBE_SECONDS:.0f} s)"
        )
        kinds = [kind for kind, _ in MIX]
        weights = [weight for _, weight in MIX]
        restart_at = SECONDS / 2
        restart: dict[str, float] = {}
        cpu: dict[str, float] = {}
        print(
            f"soak: {SECONDS:.0f} s at {rate} requests/s, PostgreSQL restarted at {restart_at:.0f} s"
        )
        try:
            with ThreadPoolExecutor(max_workers=64) as pool:
                started = time.monotonic()
                i = 0
                restarted = False
                while (now := time.monotonic() - started) < SECONDS:
                    if not restarted and now >= restart_at:
                        restarted = True
                        thread = threading.Thread(
                            target=lambda at=now: restart.update(at=at, seconds=_restart(pg_dir))
                        )
                        thread.start()
                    due = started + i / rate
                    pool.submit(soak.one, random.choices(kinds, weights)[0], i, due)
                    i += 1
                    if i % max(1, int(rate * 30)) == 0:
                        print(f"  {now:6.0f} s  {i} sent, {len(soak.accepted_codes)} accepted")
                    next_at = i / rate
                    time.sleep(max(0.0, next_at - (time.monotonic() - started)))
            wall = time.monotonic() - served_at
            cpu["load_generator"] = time.process_time() - own_before
        finally:
            server.terminate()
            server.wait(timeout=60)
        # gunicorn's master reaps its workers, so their time is in the master's, then ours.
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu["gunicorn"] = (children.ru_utime + children.ru_stime) - (
            children_before.ru_utime + children_before.ru_stime
        )
        cpu["wall"] = wall
        lost = _lost(env, soak.accepted_codes)
    finally:
        stop_postgis(pg_dir)
    _write(soak, rate, restart, lost, cpu, capacity)
    if lost:
        sys.exit(f"soak: {lost} accepted reports are missing from the database")


def _lost(env: dict[str, str], codes: list[str]) -> int:
    """How many of `codes` the database does not hold."""
    import psycopg

    url = env["DATABASE_URL"]
    with psycopg.connect(dbname=url.rsplit("/", 1)[1], **connection_kwargs(url)) as conn:
        found = {
            row[0]
            for row in conn.execute(
                "SELECT tracking_code FROM reports_report WHERE tracking_code = ANY(%s)", [codes]
            )
        }
    return len(set(codes) - found)


def _write(
    soak: Soak,
    rate: float,
    restart: dict[str, float],
    lost: int,
    cpu: dict[str, float],
    capacity: dict[str, float | None],
) -> None:
    def bucket(status: str) -> str:
        if status.startswith("2"):
            return "accepted"
        if status.startswith("4") or status == "503":
            return "refused"
        return "failed"

    totals: Counter = Counter()
    by_status: Counter = Counter()
    endpoints = {}
    for kind, statuses in soak.statuses.items():
        for status, count in statuses.items():
            totals[bucket(status)] += count
            by_status[status] += count
        endpoints[kind] = {
            "sent": sum(statuses.values()),
            "by_status": dict(sorted(statuses.items())),
            "p50_ms": _percentile(soak.latencies[kind], 50),
            "p99_ms": _percentile(soak.latencies[kind], 99),
        }
    result = {
        "seconds": SECONDS,
        "rate_per_s": rate,
        "capacity": capacity,
        "sent": sum(by_status.values()),
        "accepted": totals["accepted"],
        "refused": totals["refused"],
        "failed": totals["failed"],
        "by_status": dict(sorted(by_status.items())),
        "endpoints": endpoints,
        "postgresql_restart": {k: round(v, 2) for k, v in restart.items()},
        "accepted_reports": len(soak.accepted_codes),
        "lost": lost,
        "server": "gunicorn (config/gunicorn.conf.py)",
        "cores": os.cpu_count(),
        # Cores kept busy on average by each side while the server ran (the probe and the
        # soak; PostgreSQL's own time is not counted): the load generator shares the machine
        # with the server it measures.
        "cores_busy": {
            side: round(cpu[side] / cpu["wall"], 2)
            for side in ("gunicorn", "load_generator")
            if cpu.get("wall")
        },
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "soak.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
