"""gunicorn, the server of the demo and of production alike (`make serve`, `make demo`).

Sized to the machine: GUNICORN_WORKERS processes (default: the number of cores, at least 2),
each serving one request at a time (sync workers). Measured on this project (2 cores, wrk over
loopback): threads make it slower, not faster, since Blisko's requests are short and mostly
Python, so the threads of a process only take turns at the GIL: with 4 threads a process,
GET /healthz fell from 1,855 to 889 requests/s, and submissions from 290 to 142 with 2.
Slow clients are the proxy's job: nginx buffers uploads and answers before they reach a worker.
GUNICORN_THREADS=N (N > 1) gives threaded workers (gthread) where a deployment needs them.
Each process keeps its own in-memory indexes of areas and of the public map. Bound to
loopback by default: put it behind nginx or any TLS proxy (README, "Running it in
production"), or set GUNICORN_BIND=0.0.0.0:8000 in a container.
"""

import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("GUNICORN_WORKERS", max(2, os.cpu_count() or 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
# A request that takes longer than this is a bug or an attack; the worker is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Workers are replaced now and then, so a slow leak never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# Requests larger than Django would accept anyway are refused before reaching it.
limit_request_line = 8190
# "-" logs each request on standard output; GUNICORN_ACCESS_LOG= (empty) logs none.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Behind a proxy on this machine: trust its X-Forwarded-Proto (Django's SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 (heartbeat files)
