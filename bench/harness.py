"""What the benchmarks share: a PostGIS cluster and fresh databases in it, Django set up on one;
for the HTTP benchmarks, the demo, gunicorn serving it, wrk driving it over loopback, and
records measured against GET /healthz on the same server."""

import contextlib
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
DURATION = os.environ.get("BENCH_DURATION", "15s")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))


def start_postgis() -> tuple[str | None, str]:
    """BENCH_POSTGIS_URL, or a throwaway cluster: (its folder, for `stop_postgis`; its URL)."""
    url = os.environ.get("BENCH_POSTGIS_URL")
    if url:
        return None, url
    out = subprocess.run(
        [str(ROOT / "scripts" / "pg_throwaway.sh")], check=True, capture_output=True, text=True
    ).stdout.split()
    print(f"started a throwaway PostGIS in {out[0]}")
    return out[0], out[1]


def stop_postgis(folder: str) -> None:
    """Stop and remove a cluster `start_postgis` started."""
    subprocess.run([str(ROOT / "scripts" / "pg_throwaway.sh"), "stop", folder], check=False)


def connection_kwargs(database_url: str) -> dict[str, Any]:
    """psycopg.connect() keywords for the cluster of `database_url` in autocommit (CREATE and
    DROP DATABASE need it); the database to connect to is named separately."""
    url = urlparse(database_url)
    return {"host": url.hostname, "port": url.port, "user": url.username, "autocommit": True}


@contextlib.contextmanager
def admin_connection(base_url: str) -> Iterator[Any]:
    """A connection to the database `base_url` names, to create and drop others from."""
    import psycopg

    with psycopg.connect(dbname=urlparse(base_url).path[1:], **connection_kwargs(base_url)) as conn:
        yield conn


def database_url(base_url: str, name: str) -> str:
    """The URL of database `name` in the cluster of `base_url`."""
    return base_url.rsplit("/", 1)[0] + "/" + name


def fresh_database(base_url: str, name: str) -> str:
    """A new, empty PostGIS database `name` in the cluster of `base_url`; returns its URL."""
    import psycopg

    with admin_connection(base_url) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    with psycopg.connect(dbname=name, **connection_kwargs(base_url)) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    return database_url(base_url, name)


def drop_database(base_url: str, name: str) -> None:
    """Drop database `name` of the cluster of `base_url`, if it exists."""
    with admin_connection(base_url) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")


def setup_django(url: str, settings: str = "config.settings.production") -> None:
    """Set Django up in this process on the database at `url`, with the settings `settings`."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(32))
    # What production settings require (see .env.example); this process serves no request.
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1")
    os.environ.setdefault("BLISKO_SITE_URL", "http://127.0.0.1")
    os.environ.setdefault("DEFAULT_FROM_EMAIL", "Blisko bench <noreply@127.0.0.1>")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    import django

    django.setup()


def demo_environment(database: str, **extra: str) -> dict[str, str]:
    """Production settings on a fresh database with the demo loaded (BENCH_POSTGIS_URL)."""
    base = os.environ.get("BENCH_POSTGIS_URL")
    if not base:
        sys.exit("BENCH_POSTGIS_URL is not set (run through scripts/bench.sh)")
    env = dict(
        os.environ,
        DATABASE_URL=fresh_database(base, database),
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="bench-only-secret",  # noqa: S106 - a throwaway server
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        BLISKO_SITE_URL="http://127.0.0.1",
        DEFAULT_FROM_EMAIL="Blisko bench <noreply@127.0.0.1>",
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        # The benches talk plain HTTP to gunicorn, with no proxy in front.
        DJANGO_SECURE_SSL_REDIRECT="0",
        **extra,
    )
    manage = [sys.executable, "manage.py"]
    subprocess.run(manage + ["migrate", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run(manage + ["demo_load"], env=env, cwd=ROOT, check=True, capture_output=True)
    # The pages name their static files by the manifest's hashed names, as `make serve` does.
    subprocess.run(manage + ["collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    return env


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


WARMUP = os.environ.get("BENCH_WARMUP", "5s")
THREADS = os.environ.get("BENCH_THREADS", "1")


@contextlib.contextmanager
def served(env: dict[str, str]) -> Iterator[str]:
    """gunicorn with the production config (config/gunicorn.conf.py: BENCH_WORKERS processes,
    sync unless BENCH_THREADS > 1) on a free loopback port, the app loaded
    before the fork (--preload), no access log and no worker recycling during the run;
    yields its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    server = subprocess.Popen(
        [gunicorn, "-c", "config/gunicorn.conf.py", "--preload", "config.wsgi"],
        env=dict(
            env,
            GUNICORN_BIND=f"127.0.0.1:{port}",
            GUNICORN_WORKERS=str(WORKERS),
            GUNICORN_THREADS=THREADS,
            GUNICORN_ACCESS_LOG="",
            GUNICORN_LOG_LEVEL="warning",
            GUNICORN_MAX_REQUESTS="0",
        ),
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urlopen(f"{base}/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def run_wrk(url: str, lua_script: str | None = None) -> dict[str, float]:
    """wrk (1 thread, CONNECTIONS connections, DURATION) with an optional Lua request script:
    requests/s and p50/p99 in ms. Any non-2xx answer fails the benchmark. A first run of
    BENCH_WARMUP (not measured) lets every worker fill its caches, as a server in service has
    them."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ["wrk", "-t1", f"-c{CONNECTIONS}", "--latency"]
        if lua_script:
            script = Path(tmp) / "requests.lua"
            script.write_text(lua_script)
            cmd += ["-s", str(script)]
        if WARMUP not in ("", "0", "0s"):
            subprocess.run(cmd + [f"-d{WARMUP}", url], check=True, capture_output=True)
        out = subprocess.run(
            cmd + [f"-d{DURATION}", url], check=True, capture_output=True, text=True
        ).stdout
    print(out)

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            raise RuntimeError(f"wrk printed no {label} percentile")
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if errors:
        raise RuntimeError(f"{errors.group(1)} requests failed: {out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return {"rps": rps, "p50": ms("50%"), "p99": ms("99%")}


ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def alternate(base: str, lua_script: str, rounds: int = ROUNDS) -> tuple[dict, dict]:
    """GET /healthz and the scripted requests, `rounds` times one after the other on the same
    server; the median of each figure over the rounds, (baseline, measured). A shared machine
    drifts by 10-20 % between runs a minute apart; measured in turns, both drift together."""
    import statistics

    health, measured = [], []
    for _ in range(rounds):
        health.append(run_wrk(f"{base}/healthz"))
        measured.append(run_wrk(f"{base}/", lua_script))

    def median(runs: list[dict]) -> dict:
        return {key: statistics.median(run[key] for run in runs) for key in runs[0]}

    return median(health), median(measured)


def write_records(name: str, prefix: str, measured: dict, health: dict, meta: dict) -> None:
    """bench/results/<name>.json: `prefix`_req_per_s / _p50_ms / _p99_ms against /healthz."""

    def record(metric: str, value: float, unit: str, baseline: str | None, ratio: float | None):
        return {"name": metric, "value": value, "unit": unit, "baseline": baseline, "ratio": ratio}

    records = [
        record("healthz_req_per_s", round(health["rps"], 1), "requests/s", None, None),
        record("healthz_p50_ms", round(health["p50"], 2), "ms", None, None),
        record("healthz_p99_ms", round(health["p99"], 2), "ms", None, None),
        record(
            f"{prefix}_req_per_s",
            round(measured["rps"], 1),
            "requests/s",
            "healthz_req_per_s",
            round(measured["rps"] / health["rps"], 3),
        ),
        record(
            f"{prefix}_p50_ms",
            round(measured["p50"], 2),
            "ms",
            "healthz_p50_ms",
            round(measured["p50"] / health["p50"], 3),
        ),
        record(
            f"{prefix}_p99_ms",
            round(measured["p99"], 2),
            "ms",
            "healthz_p99_ms",
            round(measured["p99"] / health["p99"], 3),
        ),
    ]
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / f"{name}.json").write_text(json.dumps(records, indent=2) + "\n")
    meta = {
        "workers": WORKERS,
        "connections": CONNECTIONS,
        "duration": DURATION,
        "server": f"gunicorn (config/gunicorn.conf.py), {THREADS} thread(s) a worker",
        "warmup": WARMUP,
        "load_generator": "wrk, 1 thread",
        "database": "PostGIS",
        "cores": os.cpu_count(),
        **meta,
    }
    (RESULTS_DIR / f"{name}.meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    for r in records:
        print(f"{r['name']:26} {r['value']:>10} {r['unit']:12} ratio {r['ratio']}")
