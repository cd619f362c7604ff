"""Submissions one by one through POST /api/v1/reports under concurrent load (gunicorn + wrk).

Each request is a new anonymous report at a random point inside the demo communities, with its
own Idempotency-Key, from one of 65,000 client addresses (X-Forwarded-For behind wrk as the
trusted proxy): routed, deadlines set, stored with its first history event. The daily limit
is lifted for the run, so that no request is refused. The baseline is
GET /healthz on the same server. Writes bench/results/submit.json.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_find_officer import (  # noqa: E402
    CONNECTIONS,
    ROOT,
    WORKERS,
    free_port,
    fresh_database,
    run_wrk,
    sample_points,
)

RESULTS = ROOT / "bench" / "results" / "submit.json"


def main() -> None:
    base = os.environ.get("BENCH_POSTGIS_URL")
    if not base:
        sys.exit("BENCH_POSTGIS_URL is not set (run through scripts/bench.sh)")
    env = dict(
        os.environ,
        DATABASE_URL=fresh_database(base),
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="bench-only-secret",  # noqa: S106 - a throwaway server
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        BLISKO_HTTPS="0",
        BLISKO_REPORT_DAILY_LIMIT="100000000",
        # wrk stands in for a load balancer in front of many residents: each request carries
        # its own X-Forwarded-For, which Blisko believes only from this trusted proxy.
        BLISKO_TRUSTED_PROXIES="127.0.0.1",
    )
    manage = [sys.executable, "manage.py"]
    subprocess.run(manage + ["migrate", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run(manage + ["demo_load"], env=env, cwd=ROOT, check=True, capture_output=True)
    points = sample_points(env)
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "-w",
            str(WORKERS),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--preload",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        for _ in range(100):
            try:
                urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        with tempfile.TemporaryDirectory() as tmp:
            lua = Path(tmp) / "submit.lua"
            lua.write_text(
                "local pts = {" + ",".join(f"{{{y},{x}}}" for x, y in points) + "}\n"
                "local cats = {'improper-parking','speeding','public-drinking','vandalism'}\n"
                "local i = 0\n"
                "local run = tostring(os.time())\n"
                "request = function()\n"
                "  i = i + 1\n"
                "  local p = pts[(i % #pts) + 1]\n"
                '  local body = string.format(\'{"category":"%s","lat":%.5f,"lon":%.5f,'
                '"description":"Samochody na chodniku"}\', cats[(i % #cats) + 1], p[1], p[2])\n'
                "  return wrk.format('POST', '/api/v1/reports', {['Content-Type']="
                "'application/json', ['Accept']='application/json', ['Idempotency-Key']="
                "run .. '-' .. i .. '-' .. math.random(1, 1000000000), ['X-Forwarded-For']="
                "string.format('198.18.%d.%d', math.random(0, 255), math.random(1, 254))}, body)\n"
                "end\n"
            )
            health = run_wrk(f"http://127.0.0.1:{port}/healthz", None)
            submit = run_wrk(f"http://127.0.0.1:{port}/", lua)
    finally:
        server.terminate()
        server.wait(timeout=10)
    records = [
        {
            "name": "healthz_req_per_s",
            "value": round(health["rps"], 1),
            "unit": "requests/s",
            "baseline": None,
            "ratio": None,
        },
        {
            "name": "submit_req_per_s",
            "value": round(submit["rps"], 1),
            "unit": "requests/s",
            "baseline": "healthz_req_per_s",
            "ratio": round(submit["rps"] / health["rps"], 3),
        },
        {
            "name": "submit_p50_ms",
            "value": round(submit["p50"], 2),
            "unit": "ms",
            "baseline": "healthz_p50_ms",
            "ratio": round(submit["p50"] / health["p50"], 3),
        },
        {
            "name": "submit_p99_ms",
            "value": round(submit["p99"], 2),
            "unit": "ms",
            "baseline": "healthz_p99_ms",
            "ratio": round(submit["p99"] / health["p99"], 3),
        },
        {
            "name": "healthz_p50_ms",
            "value": round(health["p50"], 2),
            "unit": "ms",
            "baseline": None,
            "ratio": None,
        },
        {
            "name": "healthz_p99_ms",
            "value": round(health["p99"], 2),
            "unit": "ms",
            "baseline": None,
            "ratio": None,
        },
    ]
    RESULTS.write_text(json.dumps(records, indent=2) + "\n")
    (RESULTS.parent / "submit.meta.json").write_text(
        json.dumps(
            {
                "workers": WORKERS,
                "connections": CONNECTIONS,
                "server": "gunicorn sync",
                "load_generator": "wrk 1 thread",
                "database": "PostGIS",
            },
            indent=2,
        )
        + "\n"
    )
    for r in records:
        print(f"{r['name']:22} {r['value']:>10} {r['unit']:12} ratio {r['ratio']}")


if __name__ == "__main__":
    main()
