"""Load test of GET /api/v1/officers/find served by gunicorn, driven by wrk over loopback.

Needs a PostGIS database URL in BENCH_POSTGIS_URL (scripts/bench.sh starts a throwaway one).
Loads the demo data into a fresh database, serves it with gunicorn (2 sync workers, production
settings), and runs wrk against random points inside the demo communities. The baseline is
GET /healthz on the same server: the cost of the stack with no work.
Writes bench/results/find_officer.json.
"""

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "find_officer.json"
DURATION = os.environ.get("BENCH_DURATION", "15s")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))


def fresh_database(base_url: str) -> str:
    import psycopg

    url = urlparse(base_url)
    dbname = "blisko_bench_http"
    admin = psycopg.connect(
        host=url.hostname, port=url.port, user=url.username, dbname=url.path[1:], autocommit=True
    )
    admin.execute(f"DROP DATABASE IF EXISTS {dbname}")
    admin.execute(f"CREATE DATABASE {dbname}")
    admin.close()
    with psycopg.connect(
        host=url.hostname, port=url.port, user=url.username, dbname=dbname, autocommit=True
    ) as conn:
        conn.execute("CREATE EXTENSION postgis")
    return base_url.rsplit("/", 1)[0] + "/" + dbname


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sample_points(env: dict[str, str], n: int = 2000) -> list[tuple[float, float]]:
    """Random points inside the demo communities (so every request finds an area)."""
    code = (
        "import django, json, random; django.setup();"
        "from blisko.territories.models import Area;"
        "import shapely;"
        "geoms=[shapely.from_wkb(bytes(a.boundary.wkb)) for a in "
        "Area.objects.filter(level='community').exclude(boundary=None)];"
        "random.seed(7); pts=[]\n"
        f"while len(pts) < {n}:\n"
        "    g=random.choice(geoms); x0,y0,x1,y1=g.bounds;"
        " x,y=random.uniform(x0,x1),random.uniform(y0,y1)\n"
        "    if shapely.contains_xy(g,x,y): pts.append((round(x,5),round(y,5)))\n"
        "print(json.dumps(pts))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return [tuple(p) for p in json.loads(out.stdout.strip().splitlines()[-1])]


def run_wrk(url: str, lua: Path | None, *, allow_non_2xx: bool = False) -> dict[str, float]:
    cmd = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency"]
    if lua:
        cmd += ["-s", str(lua)]
    out = subprocess.run(cmd + [url], check=True, capture_output=True, text=True).stdout
    print(out)

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            raise RuntimeError(f"wrk printed no {label} percentile")
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if errors and not allow_non_2xx:
        raise RuntimeError(f"{errors.group(1)} requests failed: {out}")
    return {"rps": rps, "p50": ms("50%"), "p99": ms("99%")}


def main() -> None:
    base = os.environ.get("BENCH_POSTGIS_URL")
    if not base:
        sys.exit("BENCH_POSTGIS_URL is not set (run through scripts/bench.sh)")
    db_url = fresh_database(base)
    env = dict(
        os.environ,
        DATABASE_URL=db_url,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="bench-only-secret",  # noqa: S106 - a throwaway server
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        BLISKO_HTTPS="0",
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
            lua = Path(tmp) / "points.lua"
            lua.write_text(
                "local pts = {" + ",".join(f"{{{y},{x}}}" for x, y in points) + "}\n"
                "local i = 0\n"
                "request = function()\n"
                "  i = i % #pts + 1\n"
                "  return wrk.format('GET', string.format("
                "'/api/v1/officers/find?lat=%.5f&lon=%.5f', pts[i][1], pts[i][2]),"
                " {['Accept']='application/json'})\n"
                "end\n"
            )
            # Warm every worker's caches, then measure.
            for x, y in points[:200]:
                urlopen(  # noqa: S310
                    f"http://127.0.0.1:{port}/api/v1/officers/find?lat={y}&lon={x}", timeout=5
                ).read()
            health = run_wrk(f"http://127.0.0.1:{port}/healthz", None)
            find = run_wrk(f"http://127.0.0.1:{port}/", lua)
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
            "name": "find_officer_req_per_s",
            "value": round(find["rps"], 1),
            "unit": "requests/s",
            "baseline": "healthz_req_per_s",
            "ratio": round(find["rps"] / health["rps"], 3),
        },
        {
            "name": "healthz_p50_ms",
            "value": round(health["p50"], 2),
            "unit": "ms",
            "baseline": None,
            "ratio": None,
        },
        {
            "name": "find_officer_p50_ms",
            "value": round(find["p50"], 2),
            "unit": "ms",
            "baseline": "healthz_p50_ms",
            "ratio": round(find["p50"] / health["p50"], 3),
        },
        {
            "name": "healthz_p99_ms",
            "value": round(health["p99"], 2),
            "unit": "ms",
            "baseline": None,
            "ratio": None,
        },
        {
            "name": "find_officer_p99_ms",
            "value": round(find["p99"], 2),
            "unit": "ms",
            "baseline": "healthz_p99_ms",
            "ratio": round(find["p99"] / health["p99"], 3),
        },
    ]
    meta = {
        "workers": WORKERS,
        "connections": CONNECTIONS,
        "duration": DURATION,
        "server": "gunicorn sync",
        "load_generator": "wrk 1 thread",
        "cores": os.cpu_count(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(records, indent=2) + "\n")
    (RESULTS.parent / "find_officer.meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    for r in records:
        print(f"{r['name']:28} {r['value']:>10} {r['unit']:12} ratio {r['ratio']}")


if __name__ == "__main__":
    main()
