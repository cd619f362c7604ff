"""Files of 2,000,000 rows are streamed with bounded memory: `diagnosis_hotspots` keeps the
cells, not the points; `incidents_import` keeps each row as numbers (about 60 bytes), never
as Python objects. Memory is the process's resident size sampled while the command runs,
against what it was before.

Engine-independent (they read files, and the incidents lie outside every territory, so none
is written): run on SpatiaLite only, to spare the PostgreSQL run two slow tests."""

import io
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db

ROWS = 2_000_000
PAGE = 4096


def _rss() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * PAGE


class _Peak:
    """The highest resident size seen while the block runs, minus the size before it."""

    def __enter__(self) -> "_Peak":
        self.before = _rss()
        self.peak = self.before
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss())
            time.sleep(0.02)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss())

    @property
    def growth(self) -> int:
        return self.peak - self.before


def _write(path: Path, header: str, lines) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(header)
        for chunk in lines:
            handle.write(chunk)
    return path


@pytest.fixture
def skip_on_postgresql():
    if connection.vendor == "postgresql":
        pytest.skip("engine-independent: run on SpatiaLite")


def test_hotspots_of_2_million_points_use_memory_for_the_cells_only(tmp_path, skip_on_postgresql):
    rng = np.random.default_rng(1)

    def lines():
        for _ in range(ROWS // 200_000):
            lat = rng.uniform(49.0, 49.3, 200_000)
            lon = rng.uniform(28.2, 28.6, 200_000)
            yield "".join(f"{a:.5f},{b:.5f}\n" for a, b in zip(lat, lon, strict=True))

    path = _write(tmp_path / "points.csv", "lat,lon\n", lines())
    out = tmp_path / "out.csv"
    with _Peak() as peak:
        call_command(
            "diagnosis_hotspots",
            str(path),
            "--permutations",
            "0",
            "--out",
            str(out),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert out.stat().st_size > 0
    assert peak.growth < 150 * 2**20, f"{peak.growth / 2**20:.0f} MB for {ROWS} points"


def test_an_incidents_file_of_2_million_rows_is_read_as_numbers(tmp_path, skip_on_postgresql):
    rng = np.random.default_rng(2)

    def lines():  # the Black Sea: outside every territory, so nothing is written
        for block in range(ROWS // 200_000):
            lat = rng.uniform(43.0, 44.0, 200_000)
            lon = rng.uniform(31.0, 33.0, 200_000)
            yield "".join(
                f"{a:.6f},{b:.6f},theft,2025-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{block:02d}\n"
                for i, (a, b) in enumerate(zip(lat, lon, strict=True))
            )

    path = _write(tmp_path / "incidents.csv", "lat,lon,category,occurred_at\n", lines())
    output = io.StringIO()
    with _Peak() as peak:
        call_command("incidents_import", str(path), stdout=output)
    assert f"{ROWS} incidents, all valid: 0 would be imported" in output.getvalue()
    assert f"{ROWS} outside every territory" in output.getvalue()
    per_row = peak.growth / ROWS
    assert per_row < 200, f"{per_row:.0f} bytes a row ({peak.growth / 2**20:.0f} MB)"
