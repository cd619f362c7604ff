"""Load test of GET /api/v1/officers/find served by gunicorn, driven by wrk over loopback.

A fresh PostGIS database with the demo (BENCH_POSTGIS_URL; scripts/bench.sh starts a throwaway
cluster), 2 sync workers with production settings, wrk asking for random points inside the
demo communities. Baseline: GET /healthz on the same server, the cost of the stack with no
work. Writes bench/results/find_officer.json.
"""

import sys
from pathlib import Path
from urllib.request import urlopen

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import demo_environment, run_wrk, sample_points, served, write_records  # noqa: E402


def main() -> None:
    env = demo_environment("blisko_bench_http")
    points = sample_points(env)
    script = (
        "local pts = {" + ",".join(f"{{{y},{x}}}" for x, y in points) + "}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #pts + 1\n"
        "  return wrk.format('GET', string.format("
        "'/api/v1/officers/find?lat=%.5f&lon=%.5f', pts[i][1], pts[i][2]),"
        " {['Accept']='application/json'})\n"
        "end\n"
    )
    with served(env) as base:
        for x, y in points[:200]:  # warm every worker's caches, then measure
            urlopen(f"{base}/api/v1/officers/find?lat={y}&lon={x}", timeout=5).read()  # noqa: S310
        health = run_wrk(f"{base}/healthz")
        find = run_wrk(f"{base}/", script)
    write_records("find_officer", "find_officer", find, health, {"points": len(points)})


if __name__ == "__main__":
    main()
