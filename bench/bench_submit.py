"""Submissions one by one through POST /api/v1/reports under concurrent load (gunicorn + wrk).

Each request is a new anonymous report at a random point inside the demo communities, with its
own Idempotency-Key, from one of 65,000 client addresses (X-Forwarded-For behind wrk as the
trusted proxy): routed, deadlines set, stored with its first history event. The daily limit
is lifted for the run, so that no request is refused. Baseline: GET /healthz on the same
server, measured in turns with the submissions (BENCH_ROUNDS, medians). Writes
bench/results/submit.json.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (  # noqa: E402
    ROUNDS,
    alternate,
    demo_environment,
    sample_points,
    served,
    write_records,
)


def main() -> None:
    env = demo_environment(
        "blisko_bench_submit",
        BLISKO_REPORT_DAILY_LIMIT="100000000",
        # wrk stands in for a load balancer in front of many residents: each request carries
        # its own X-Forwarded-For, which Blisko believes only from this trusted proxy.
        BLISKO_TRUSTED_PROXIES="127.0.0.1",
    )
    points = sample_points(env)
    script = (
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
    with served(env) as base:
        health, submit = alternate(base, script)
    write_records(
        "submit",
        "submit",
        submit,
        health,
        {"clients": "65,024 via X-Forwarded-For", "rounds": ROUNDS, "figures": "medians"},
    )


if __name__ == "__main__":
    main()
