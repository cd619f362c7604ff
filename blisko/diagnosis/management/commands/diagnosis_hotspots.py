"""`manage.py diagnosis_hotspots FILE.csv [--resolution 9] [--permutations 999] [--seed 7]
[--out OUT.csv]`: Gi* hotspots of the points of any CSV, for analysts.

Reads the columns `lat` and `lon` (or `latitude` and `longitude`; any others are ignored; comma, semicolon or tab; UTF-8),
a row at a time, so a file of millions of rows needs memory for its cells only. Writes one
row per study cell, with exactly the columns h3, count, gi_z, p_value, p_sim, q_value, class
(see blisko.diagnosis.hotspots for what they mean), to OUT.csv or the standard output.
"""

import csv
import math
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from h3.api import numpy_int as h3n

from blisko.diagnosis import hotspots as engine

COLUMNS = ("h3", "count", "gi_z", "p_value", "p_sim", "q_value", "class")
# The names a point's columns go by in the files analysts have (police.uk, city portals).
_ALIASES = {"lat": ("lat", "latitude"), "lon": ("lon", "lng", "long", "longitude")}


def _delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def read_points(path: Path, counter: engine.CellCounter, *, progress: Any = None) -> None:
    """Count the file's points into `counter`; CommandError (translated, with the line) on
    the first unusable row."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise CommandError(_("Cannot read the file: %(error)s") % {"error": exc.strerror})
    with handle:
        try:
            header = handle.readline()
        except UnicodeDecodeError:
            raise CommandError(_("The file is not UTF-8 text."))
        if not header.strip():
            raise CommandError(_("The file is empty."))
        delimiter = _delimiter(header)
        names = [n.strip().lower() for n in next(csv.reader([header], delimiter=delimiter))]
        at = {
            name: next((names.index(a) for a in aliases if a in names), None)
            for name, aliases in _ALIASES.items()
        }
        missing = [name for name, index in at.items() if index is None]
        if missing:
            raise CommandError(
                _(
                    "The header has no column %(missing)s: the first line must name the columns, with lat and lon among them."
                )
                % {"missing": ", ".join(missing)}
            )
        lat_at, lon_at = at["lat"], at["lon"]
        assert lat_at is not None and lon_at is not None
        reader = csv.reader(handle, delimiter=delimiter)
        line = 1
        try:
            for line, row in enumerate(reader, start=2):
                if not row or not any(cell.strip() for cell in row):
                    continue
                lat = _coordinate(row, lat_at, "lat", -90.0, 90.0, line)
                lon = _coordinate(row, lon_at, "lon", -180.0, 180.0, line)
                counter.add(lat, lon)
                if progress is not None and counter.points % 500_000 == 0:
                    progress(counter.points)
        except UnicodeDecodeError:
            raise CommandError(_("Line %(line)s is not UTF-8 text.") % {"line": line + 1})
    if counter.points == 0:
        raise CommandError(_("The file has no points."))


def _coordinate(row: list[str], at: int, name: str, low: float, high: float, line: int) -> float:
    text = row[at].strip().replace(",", ".") if at < len(row) else ""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not low <= value <= high:
        raise CommandError(
            _(
                "Line %(line)s: “%(name)s” must be a number from %(low)s to %(high)s, not “%(value)s”."
            )
            % {"line": line, "name": name, "low": low, "high": high, "value": text[:40]}
        )
    return value


class Command(BaseCommand):
    help = "Getis-Ord Gi* hotspots of the points (lat, lon) of a CSV file, in H3 cells."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--resolution", type=int, default=engine.DEFAULT_RESOLUTION)
        parser.add_argument("--permutations", type=int, default=engine.DEFAULT_PERMUTATIONS)
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--out", type=Path, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        resolution, permutations = options["resolution"], options["permutations"]
        if not engine.MIN_RESOLUTION <= resolution <= engine.MAX_RESOLUTION:
            raise CommandError(
                _("--resolution must be from %(low)s to %(high)s.")
                % {"low": engine.MIN_RESOLUTION, "high": engine.MAX_RESOLUTION}
            )
        if not 0 <= permutations <= engine.MAX_PERMUTATIONS:
            raise CommandError(
                _("--permutations must be from 0 to %(high)s.")
                % {"high": f"{engine.MAX_PERMUTATIONS:,}".replace(",", " ")}
            )
        started = time.perf_counter()
        counter = engine.CellCounter(resolution=resolution)
        read_points(
            options["file"],
            counter,
            progress=lambda n: self.stderr.write(_("%(count)s points read") % {"count": n}),
        )
        cells, counts = counter.result()
        result = engine.hotspots(
            cells, counts, resolution=resolution, permutations=permutations, seed=options["seed"]
        )
        out = options["out"]
        handle: Any = out.open("w", encoding="utf-8", newline="") if out else self.stdout
        try:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(COLUMNS)
            p_sim = result.p_sim
            for i, cell in enumerate(result.cells.tolist()):
                writer.writerow(
                    [
                        h3n.int_to_str(cell),
                        int(result.counts[i]),
                        f"{result.z[i]:.6f}",
                        f"{result.p_value[i]:.6g}",
                        "" if p_sim is None else f"{p_sim[i]:.6g}",
                        f"{result.q_value[i]:.6g}",
                        result.classes[i],
                    ]
                )
        finally:
            if out:
                handle.close()
        hot = int((result.classes == "hot").sum())
        cold = int((result.classes == "cold").sum())
        self.stderr.write(
            _(
                "%(points)s points in %(cells)s study cells (resolution %(resolution)s): "
                "%(hot)s hot, %(cold)s cold, in %(seconds).1f s."
            )
            % {
                "points": counter.points,
                "cells": len(result.cells),
                "resolution": resolution,
                "hot": hot,
                "cold": cold,
                "seconds": time.perf_counter() - started,
            }
        )
