"""Blisko as it is served, for the tests of concurrency and faults: gunicorn in its own
processes (config/gunicorn.conf.py, several workers with threads) on the test database, and
a TCP proxy in front of PostgreSQL that a test can cut to take the database away.

The SQLite test database is in memory, one connection that no other process can open: those
tests skip there and run in `make test`'s run on a SpatiaLite file (BLISKO_TEST_SQLITE_FILE,
marker `concurrency`), and on PostGIS.
"""

import contextlib
import os
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote
from urllib.request import urlopen

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


def shared_database_or_skip() -> None:
    """Skip the calling test on an in-memory SQLite database (one connection only)."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "SQLite in memory is one connection: run with BLISKO_TEST_SQLITE_FILE "
            "(make test does) or on PostGIS"
        )


def database_url(*, host: str | None = None, port: int | None = None) -> str:
    """The test database as a DATABASE_URL another process can open (optionally through
    another host and port, such as a `TcpProxy`)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"spatialite:///{db['NAME']}"
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return (
        f"postgis://{auth}@{host or db['HOST'] or '127.0.0.1'}:{port or db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn_server(
    *, env: dict[str, str] | None = None, workers: int = 2, threads: int = 8, db_url: str = ""
) -> Iterator[str]:
    """gunicorn serving Blisko on the test database on a free loopback port; yields its URL.

    The settings are the tests' (config.settings.test) with the database the test sees, so
    what a test writes before or after a request is what the server reads. `env` adds or
    overrides environment variables (BLISKO_REPORT_DAILY_LIMIT, BLISKO_TRUSTED_PROXIES, …).
    """
    port = free_port()
    child_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BLISKO_TEST_", "PYTEST_"))
    }
    child_env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": db_url or database_url(),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_THREADS": str(threads),
            "GUNICORN_ACCESS_LOG": "",
            "GUNICORN_LOG_LEVEL": "warning",
            "BLISKO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            **(env or {}),
        }
    )
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    log = open(ROOT / "test-artifacts" / f"gunicorn-{port}.log", "w")  # noqa: SIM115
    server = subprocess.Popen(  # noqa: S603 (our own gunicorn, our own arguments)
        [gunicorn, "-c", str(ROOT / "config" / "gunicorn.conf.py"), "config.wsgi"],
        env=child_env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn stopped: see {log.name}")
            try:
                urlopen(f"{base}/healthz", timeout=2)  # noqa: S310 (loopback)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


class TcpProxy:
    """A TCP proxy on loopback in front of `target`; `cut()` closes every connection through
    it and refuses new ones (the database is gone), `restore()` lets them through again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._up = threading.Event()
        self._up.set()
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._listener: socket.socket | None = None
        self._stopped = threading.Event()
        self._listen()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        listener.settimeout(0.1)
        self._listener = listener

    def _accept(self) -> None:
        while not self._stopped.is_set():
            listener = self._listener
            if listener is None:
                time.sleep(0.05)
                continue
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, upstream))
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        try:
            while not self._stopped.is_set():
                ready, _, _ = select.select([a, b], [], [], 0.2)
                for source in ready:
                    data = source.recv(65536)
                    if not data:
                        return
                    (b if source is a else a).sendall(data)
        except OSError:
            return
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.close()

    def cut(self) -> None:
        """The database is gone: open connections break, new ones are refused."""
        with self._lock:
            listener, self._listener = self._listener, None
            if listener is not None:
                listener.close()
            for pair in self._pairs:
                for s in pair:
                    with contextlib.suppress(OSError):
                        s.shutdown(socket.SHUT_RDWR)
                        s.close()
            self._pairs.clear()

    def restore(self) -> None:
        """The database is back on the same address."""
        with self._lock:
            if self._listener is None:
                self._listen()

    def close(self) -> None:
        self.cut()
        self._stopped.set()
        self._thread.join(timeout=5)


def signed_in_session(user: Any) -> Any:
    """A `requests` session of `user` as a browser has it after signing in: a real session row
    in the test database and its cookie, for a live server."""
    import requests
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set(
        settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    return session
