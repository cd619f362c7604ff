"""Point → community lookup over all Ukrainian hromadas: Blisko's index against PostGIS and
SpatiaLite.

Run: `.venv/bin/python bench/bench_lookup.py` (or `make bench`). PostGIS comes from
BENCH_POSTGIS_URL; without it a throwaway cluster is started with scripts/pg_throwaway.sh and
removed afterwards. Writes bench/results/lookup.json.

What it does:
1. Creates a fresh database `blisko_bench_lookup`, migrates it, and imports the full file
   bench/data/hromady_ukraine_katotth.geojson.gz through the app's own import
   (`territory_import`): 1,469 hromadas + Kyiv = 1,470 areas. The file's 2 Crimea placeholders
   (Crimea and Sevastopol as whole oblast-level shapes without a hromada code) are skipped by
   the importer, as in production, so points there are in no area for every contender.
2. Draws 100,000 points uniformly in Ukraine's bounding box (the file's extent, Crimea
   included; fixed seed).
3. (a) The app's lookup path, on one core: `area_for_point(lon=, lat=)` (the selector
   GET /api/v1/officers/find calls: validation, the throttled freshness check, the index, the
   Area object), one point per call in a Python loop over all 100,000 points. Also the bare
   `AreaIndex.lookup` and the vectorised `lookup_many`.
   (b) PostGIS with a GiST index: one prepared `ST_Intersects` query per point (psycopg, over
   loopback TCP), on a sample of the points (BENCH_LOOKUP_SAMPLE, default 10,000).
   (b') PostGIS as MapIt and tuned deployments run it: a side table of the boundaries cut by
   `ST_Subdivide` into pieces of at most 256 vertices, with a GiST index, one prepared
   `ST_Intersects` query per point returning the distinct area ids, on the same sample.
   (c) SpatiaLite with its R*Tree spatial index: one query per point on the same sample.
4. Checks that (a) agrees with (b), (b') and (c) on the sample: the app's area must be one of
   the areas the database returns (several only on a shared border or in the slivers where
   the source polygons overlap), and none exactly when the database finds none.
"""

import gzip
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "hromady_ukraine_katotth.geojson.gz"
RESULTS = ROOT / "bench" / "results" / "lookup.json"
POINTS = 100_000
SAMPLE = int(os.environ.get("BENCH_LOOKUP_SAMPLE", "10000"))
SEED = 20_240_517
DATABASE = "blisko_bench_lookup"
VALID_FROM = "2020-07-17"
# Vertices per piece of the subdivided baseline: ST_Subdivide's default, as MapIt uses it.
SUBDIVIDE_MAX_VERTICES = 256

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from harness import fresh_database, setup_django, start_postgis, stop_postgis  # noqa: E402


def load_hromadas(tmp: Path) -> tuple[int, float]:
    """Import the full file through the app; (areas imported, seconds)."""
    import datetime as dt

    from django.core.management import call_command

    from blisko.territories.services.imports import territory_import

    call_command("migrate", verbosity=0)
    path = tmp / "hromady_ukraine_katotth.geojson"
    with gzip.open(DATA) as src, path.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    started = time.perf_counter()
    result = territory_import(path=path, valid_from=dt.date.fromisoformat(VALID_FROM), commit=True)
    seconds = time.perf_counter() - started
    print(
        f"imported {len(result.created)} areas in {seconds:.1f} s; skipped {len(result.skipped)}:"
        f" {'; '.join(result.skipped)}"
    )
    return len(result.created), seconds


def ukraine_bbox() -> tuple[float, float, float, float]:
    import shapely

    with gzip.open(DATA, "rt", encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    geoms = [shapely.geometry.shape(f["geometry"]) for f in features]
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    return float(minx), float(miny), float(maxx), float(maxy)


def per_second(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def bench_app(xs: list[float], ys: list[float]) -> dict:
    from blisko.territories.index import index_rebuild
    from blisko.territories.models import Level
    from blisko.territories.selectors.areas import area_for_point

    started = time.perf_counter()
    snapshot = index_rebuild()
    build = time.perf_counter() - started
    level = snapshot.index.level_index(Level.COMMUNITY)
    assert level is not None
    area_for_point(lon=xs[0], lat=ys[0])  # the first freshness check

    started = time.perf_counter()
    app = []
    for x, y in zip(xs, ys, strict=True):
        area = area_for_point(lon=x, lat=y)
        app.append(area.pk if area is not None else None)
    app_seconds = time.perf_counter() - started

    lookup = snapshot.index.lookup
    started = time.perf_counter()
    for x, y in zip(xs, ys, strict=True):
        lookup(x, y, level=Level.COMMUNITY)
    index_seconds = time.perf_counter() - started

    started = time.perf_counter()
    many = snapshot.index.lookup_many(np.array(xs), np.array(ys), level=Level.COMMUNITY)
    many_seconds = time.perf_counter() - started
    singles = np.array([-1 if pk is None else pk for pk in app])
    return {
        "answers": app,
        "app": per_second(len(xs), app_seconds),
        "index": per_second(len(xs), index_seconds),
        "many": per_second(len(xs), many_seconds),
        "many_disagreements": int((many != singles).sum()),
        "registry_build_s": build,
        "level_build_s": level.build_seconds,
        "grid": f"{level.nx}x{level.ny} cells of {level.cell:.5f} deg, "
        f"{level.boundary_cells} boundary cells",
        "hits": sum(pk is not None for pk in app),
    }


def _timed_postgis(conn, sql: str, index: str, xs: list[float], ys: list[float]) -> tuple:
    """Answers (sets of area ids) and lookups/s of one prepared query per point; the plan
    must use `index`."""
    plan = conn.execute("EXPLAIN " + sql, (30.5, 50.45)).fetchall()
    assert any(index in row[0] for row in plan), plan
    cur = conn.cursor()
    for x, y in zip(xs[:200], ys[:200], strict=True):  # warm up, and prepare
        cur.execute(sql, (x, y), prepare=True)
        cur.fetchall()
    answers = []
    started = time.perf_counter()
    for x, y in zip(xs, ys, strict=True):
        cur.execute(sql, (x, y), prepare=True)
        answers.append({row[0] for row in cur.fetchall()})
    seconds = time.perf_counter() - started
    return answers, per_second(len(xs), seconds)


def bench_postgis(database_url: str, xs: list[float], ys: list[float]) -> dict:
    import psycopg

    url = urlparse(database_url)
    with psycopg.connect(
        host=url.hostname, port=url.port, user=url.username, dbname=url.path[1:], autocommit=True
    ) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_hromada")
        conn.execute(
            "CREATE TABLE bench_hromada AS SELECT area_id, boundary AS geom "
            "FROM territories_areaboundary WHERE valid_to IS NULL"
        )
        conn.execute("CREATE INDEX bench_hromada_geom ON bench_hromada USING gist (geom)")
        conn.execute("ANALYZE bench_hromada")
        version = conn.execute("SELECT postgis_full_version()").fetchone()[0].split('"')[1]
        sql = (
            "SELECT area_id FROM bench_hromada "
            "WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326))"
        )
        answers, rate = _timed_postgis(conn, sql, "bench_hromada_geom", xs, ys)

        # The subdivided side table: a point query then tests a few small pieces whose boxes
        # hold it, instead of a whole hromada of thousands of vertices whose box holds it.
        conn.execute("DROP TABLE IF EXISTS bench_hromada_piece")
        conn.execute(
            "CREATE TABLE bench_hromada_piece AS SELECT area_id, "
            f"ST_Subdivide(geom, {SUBDIVIDE_MAX_VERTICES}) AS geom FROM bench_hromada"
        )
        conn.execute(
            "CREATE INDEX bench_hromada_piece_geom ON bench_hromada_piece USING gist (geom)"
        )
        conn.execute("ANALYZE bench_hromada_piece")
        pieces = conn.execute("SELECT count(*) FROM bench_hromada_piece").fetchone()[0]
        # DISTINCT: a point on a cut between two pieces of one hromada meets both.
        sql = (
            "SELECT DISTINCT area_id FROM bench_hromada_piece "
            "WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326))"
        )
        piece_answers, piece_rate = _timed_postgis(conn, sql, "bench_hromada_piece_geom", xs, ys)
    return {
        "answers": answers,
        "rate": rate,
        "version": version,
        "subdivided_answers": piece_answers,
        "subdivided_rate": piece_rate,
        "pieces": pieces,
    }


def bench_spatialite(database_url: str, tmp: Path, xs: list[float], ys: list[float]) -> dict:
    import psycopg
    import pysqlite3.dbapi2 as sqlite3

    url = urlparse(database_url)
    with psycopg.connect(
        host=url.hostname, port=url.port, user=url.username, dbname=url.path[1:]
    ) as conn:
        rows = conn.execute(
            "SELECT area_id, ST_AsBinary(boundary) FROM territories_areaboundary "
            "WHERE valid_to IS NULL"
        ).fetchall()
    db = sqlite3.connect(str(tmp / "bench.sqlite3"))
    db.enable_load_extension(True)
    db.load_extension(os.environ.get("SPATIALITE_LIBRARY_PATH", "mod_spatialite"))
    db.execute("SELECT InitSpatialMetaData(1)")
    db.execute("CREATE TABLE hromada (id INTEGER PRIMARY KEY, area_id INTEGER NOT NULL)")
    db.execute("SELECT AddGeometryColumn('hromada', 'geom', 4326, 'MULTIPOLYGON', 'XY')")
    db.executemany(
        "INSERT INTO hromada (area_id, geom) VALUES (?, GeomFromWKB(?, 4326))",
        [(area_id, bytes(wkb)) for area_id, wkb in rows],
    )
    db.execute("SELECT CreateSpatialIndex('hromada', 'geom')")
    db.commit()
    version = db.execute("SELECT spatialite_version()").fetchone()[0]
    # The R*Tree narrows the rows by bounding box; ST_Intersects decides exactly.
    sql = (
        "SELECT area_id FROM hromada WHERE ST_Intersects(geom, MakePoint(?, ?, 4326)) "
        "AND ROWID IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'hromada' "
        "AND search_frame = MakePoint(?, ?, 4326))"
    )
    for x, y in zip(xs[:200], ys[:200], strict=True):
        db.execute(sql, (x, y, x, y)).fetchall()
    answers = []
    started = time.perf_counter()
    for x, y in zip(xs, ys, strict=True):
        answers.append({row[0] for row in db.execute(sql, (x, y, x, y))})
    seconds = time.perf_counter() - started
    db.close()
    return {"answers": answers, "rate": per_second(len(xs), seconds), "version": version}


def disagreements(app: list[int | None], reference: list[set[int]]) -> tuple[int, int]:
    """(points where the app's answer is not one of the database's, points with several)."""
    wrong = sum(
        (pk is None and bool(found)) or (pk is not None and pk not in found)
        for pk, found in zip(app, reference, strict=False)
    )
    return wrong, sum(len(found) > 1 for found in reference)


def record(name: str, value: float, unit: str, baseline: dict | None = None) -> dict:
    digits = 3 if unit == "s" else 1
    return {
        "name": name,
        "value": round(value, digits) if isinstance(value, float) else value,
        "unit": unit,
        "baseline": baseline["name"] if baseline else None,
        "ratio": round(value / baseline["value"], 3) if baseline else None,
    }


def main() -> None:
    begun = time.perf_counter()
    pg_dir, base_url = start_postgis()
    try:
        with tempfile.TemporaryDirectory(prefix="blisko-bench-") as tmp_name:
            tmp = Path(tmp_name)
            database_url = fresh_database(base_url, DATABASE)
            setup_django(database_url)
            areas, import_seconds = load_hromadas(tmp)
            minx, miny, maxx, maxy = ukraine_bbox()
            rng = np.random.default_rng(SEED)
            xs = rng.uniform(minx, maxx, POINTS).tolist()
            ys = rng.uniform(miny, maxy, POINTS).tolist()
            app = bench_app(xs, ys)
            postgis = bench_postgis(database_url, xs[:SAMPLE], ys[:SAMPLE])
            spatialite = bench_spatialite(database_url, tmp, xs[:SAMPLE], ys[:SAMPLE])
    finally:
        if pg_dir:
            stop_postgis(pg_dir)

    wrong_pg, multi_pg = disagreements(app["answers"][:SAMPLE], postgis["answers"])
    wrong_sub, _multi = disagreements(app["answers"][:SAMPLE], postgis["subdivided_answers"])
    wrong_sl, _multi = disagreements(app["answers"][:SAMPLE], spatialite["answers"])
    base = record("lookup_postgis_per_s", postgis["rate"], "lookups/s")
    base["baseline"], base["ratio"] = base["name"], 1.0
    subdivided = record("lookup_postgis_subdivided_per_s", postgis["subdivided_rate"], "lookups/s")
    subdivided["baseline"], subdivided["ratio"] = subdivided["name"], 1.0
    records = [
        record("lookup_app_per_s", app["app"], "lookups/s", base),
        base,
        record("lookup_spatialite_per_s", spatialite["rate"], "lookups/s", base),
        record("lookup_index_per_s", app["index"], "lookups/s", base),
        record("lookup_many_per_s", app["many"], "lookups/s", base),
        record("index_build_s", app["registry_build_s"], "s"),
        record("index_level_build_s", app["level_build_s"], "s"),
        record("lookup_mismatches_postgis", wrong_pg, "points"),
        record("lookup_mismatches_spatialite", wrong_sl, "points"),
        # Against the subdivided PostGIS (MapIt's side table): a baseline of its own.
        subdivided,
        record("lookup_app_per_s_vs_subdivided", app["app"], "lookups/s", subdivided),
        record("lookup_index_per_s_vs_subdivided", app["index"], "lookups/s", subdivided),
        record("lookup_postgis_vs_subdivided", postgis["rate"], "lookups/s", subdivided),
        record("postgis_subdivided_pieces", postgis["pieces"], "pieces"),
        record("lookup_mismatches_postgis_subdivided", wrong_sub, "points"),
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(records, indent=2) + "\n", encoding="utf-8")

    print()
    print(f"areas: {areas} hromadas (imported in {import_seconds:.1f} s); points: {POINTS:,}")
    print(f"bounding box: {minx:.4f} {miny:.4f} {maxx:.4f} {maxy:.4f}, seed {SEED}")
    print(f"index: {app['grid']}; {app['hits']:,} of {POINTS:,} points in a hromada")
    print(f"PostGIS {postgis['version']}, SpatiaLite {spatialite['version']}, sample {SAMPLE:,}")
    print(
        f"subdivided PostGIS: {postgis['pieces']:,} pieces of at most {SUBDIVIDE_MAX_VERTICES}"
        " vertices"
    )
    print(
        f"agreement on the sample: {wrong_pg} mismatches with PostGIS, {wrong_sub} with "
        f"subdivided PostGIS, {wrong_sl} with SpatiaLite; {multi_pg} points in two hromadas (border slivers); lookup_many vs "
        f"single lookups: {app['many_disagreements']} differences"
    )
    print()
    print(f"{'name':38} {'value':>14} {'unit':10} {'ratio':>8}  baseline")
    for r in records:
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}"
        print(f"{r['name']:38} {r['value']:>14,} {r['unit']:10} {ratio:>8}  {r['baseline'] or ''}")
    print(f"\nwritten {RESULTS.relative_to(ROOT)} in {time.perf_counter() - begun:.0f} s")
    if wrong_pg or wrong_sub or wrong_sl or app["many_disagreements"]:
        sys.exit("the app's lookups disagree with the databases")


if __name__ == "__main__":
    main()
