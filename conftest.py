"""Fixtures shared by every app's tests.

The test database gets the demo's real boundaries once per session (Vinnytsia and
Dnipropetrovsk oblasts with their raions and hromadas; voivodeship wielkopolskie, powiat
koniński, Konin and its gminas) plus the codifier's settlements, exactly as `make demo` loads
them. Tests in a transaction see them; transactional tests (the browser tests) call
`load_territories()` themselves, since each of them ends by emptying the database.
"""

from pathlib import Path

import pytest

pytest_plugins = ["blisko.core.testing.browser", "blisko.core.testing.fuzz"]

DATA_DIR = Path(__file__).resolve().parent / "data"
BOUNDARY_FILES = [
    DATA_DIR / "ua" / "oblasti_vinnytsia_dnipropetrovsk_katotth.geojson",
    DATA_DIR / "ua" / "rayony_vinnytsia_dnipropetrovsk_katotth.geojson",
    DATA_DIR / "ua" / "hromady_vinnytsia_dnipropetrovsk_katotth.geojson",
    DATA_DIR / "pl" / "wojewodztwo_wielkopolskie_prg.geojson",
    DATA_DIR / "pl" / "konin_powiat_and_city_prg.geojson",
]
CODIFIER_FILE = DATA_DIR / "ua" / "katotth_vinnytsia_dnipropetrovsk_2025-07-02.csv"

# Points used across the tests: (lon, lat).
VINNYTSIA_CENTRE = (28.4682, 49.2331)
KONIN_CENTRE = (18.2513, 52.2230)
BLACK_SEA = (31.5, 43.5)


def load_territories(*, places: bool = True) -> None:
    import datetime as dt

    from blisko.territories.services.imports import (
        places_import_katotth,
        places_sync_areas,
        territory_import,
    )

    for path in BOUNDARY_FILES:
        territory_import(path=path, valid_from=dt.date(2020, 7, 17), commit=True)
    if places:
        places_import_katotth(path=CODIFIER_FILE, commit=True)
        places_sync_areas()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_territories()


@pytest.fixture(autouse=True)
def _officer_cache_empty():
    """Each test starts with an empty "find my officer" cache (blisko.officers.selectors):
    rows a test writes without a directory change would otherwise outlive its rollback."""
    from blisko.officers.selectors.find import directory_cache_clear
    from blisko.territories.index import index_expire

    directory_cache_clear()
    # A test may have lengthened the check interval; the next lookup checks the token anyway.
    index_expire()
    yield


@pytest.fixture(autouse=True)
def _map_index_empty():
    """Each test starts without the public map's in-memory index (blisko.reports.selectors.
    map_index): after a rollback, SQLite hands out the same ids again, so a report of an
    earlier test could otherwise still be counted."""
    from blisko.threatmap.selectors.map_index import map_index_clear

    map_index_clear()
    yield


def seed_reference_data() -> None:
    """What migrations seed (the KMZB and statistic categories, the role groups), which a transactional
    test's flush removes for every test after it."""
    from blisko.core.roles import roles_sync
    from blisko.diagnosis.models import IncidentCategory, StatisticCategory
    from blisko.diagnosis.statistic_categories import (
        STATISTIC_CATEGORIES,
        incident_categories_seed,
        statistic_categories_seed,
    )
    from blisko.reports.kmzb import KMZB_CATEGORIES, kmzb_categories_seed
    from blisko.reports.models import Category

    if Category.objects.count() < len(KMZB_CATEGORIES):
        kmzb_categories_seed(Category)
    if StatisticCategory.objects.count() < len(STATISTIC_CATEGORIES):
        statistic_categories_seed(StatisticCategory, Category)
    if IncidentCategory.objects.count() < len(STATISTIC_CATEGORIES):
        incident_categories_seed(IncidentCategory, StatisticCategory)
    roles_sync()


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests (live server, threads) start with the seeded reference data."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction"))
    if transactional or {"transactional_db", "live_server"} & set(request.fixturenames):
        request.getfixturevalue("transactional_db")
        seed_reference_data()
    yield
