"""The demo: real boundaries from data/, generated people, loaded through the services.

`demo_load()` imports the boundary files and the KATOTTH codifier (or reuses them when they
are already in the database), splits gmina Konin into four service areas, and generates police
units, officers, assignments, area contacts and three demo accounts. Every person is made up
from small lists of common first and last names with a fixed random seed, so two fresh loads
give the same people. A database that already holds the demo is left as it is.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from blisko.core.roles import roles_sync
from blisko.demo.data import BOUNDARIES_VALID_FROM, DEMO_ACCOUNTS, HEAD_ACCOUNTS, KONIN_GMINA
from blisko.demo.directory import DirectoryGenerator
from blisko.diagnosis.models import Incident, Statistic
from blisko.engagement.models import Meeting, PresenceDay
from blisko.officers.models import Assignment, Officer, Unit
from blisko.partnerships.models import Memorandum
from blisko.plans.models import Plan
from blisko.reports.models import Report
from blisko.territories.models import Area, Place, PlaceKind
from blisko.territories.services.imports import (
    places_import_katotth,
    places_sync_areas,
    territory_import,
)

DATA_DIR = Path(settings.BASE_DIR) / "data"


BOUNDARY_FILES = [
    DATA_DIR / "ua" / "oblasti_vinnytsia_dnipropetrovsk_katotth.geojson",
    DATA_DIR / "ua" / "rayony_vinnytsia_dnipropetrovsk_katotth.geojson",
    DATA_DIR / "ua" / "hromady_vinnytsia_dnipropetrovsk_katotth.geojson",
    DATA_DIR / "pl" / "wojewodztwo_wielkopolskie_prg.geojson",
    DATA_DIR / "pl" / "konin_powiat_and_city_prg.geojson",
]


CODIFIER_FILE = DATA_DIR / "ua" / "katotth_vinnytsia_dnipropetrovsk_2025-07-02.csv"


# One code from each boundary file: when all are present the territories are reused.
SENTINEL_CODES = ["UA05000000000010236", "UA05020000000026686", "UA05020030000031457", "30"]


SENTINEL_CODES += ["3062011"]


# Threat-map reports the demo generates (issue: about 5,000 over the last 12 months).
DEMO_REPORTS = 5000


@dataclass
class DemoResult:
    created: bool
    accounts: list[tuple[str, str, str]]
    counts: dict[str, int] = field(default_factory=dict)
    # The Open311 API key of the demo (settings.BLISKO_DEMO_OPEN311_KEY), "" when none.
    open311_key: str = ""


def demo_exists() -> bool:
    """Whether the demo's people are already in the database."""
    return Area.objects.filter(code=f"{KONIN_GMINA}-01").exists() and User.objects.filter(
        username__in=[a[0] for a in DEMO_ACCOUNTS]
    ).count() == len(DEMO_ACCOUNTS)


def demo_counts() -> dict[str, int]:
    return {
        "areas": Area.objects.count(),
        "places": Place.objects.count(),
        "units": Unit.objects.count(),
        "officers": Officer.objects.count(),
        "assignments": Assignment.objects.count(),
        "reports": Report.objects.count(),
        "statistics": Statistic.objects.count(),
        "incidents": Incident.objects.count(),
        "plans": Plan.objects.count(),
        "memoranda": Memorandum.objects.count(),
        "meetings": Meeting.objects.count(),
        "presence days": PresenceDay.objects.count(),
    }


def demo_load(*, log: Callable[[str], None] = lambda line: None) -> DemoResult:
    """Load the demo into the database, or keep the one already there.

    Territories are imported from data/ unless every sentinel code is present already (a
    database where `territories_import` ran, or the test database). The people, units and
    accounts are created in one transaction, all through the services. Idempotent: a second
    run finds the demo (`demo_exists`) and writes nothing.
    """
    roles_sync()
    open311_key = _open311_key_ensure()
    if demo_exists():
        _reports_ensure(log)
        _diagnosis_ensure(log)
        _plans_ensure(log)
        _partnerships_ensure(log)
        _engagement_ensure(log)
        log("The demo is already loaded: nothing changed.")
        return DemoResult(
            created=False,
            accounts=DEMO_ACCOUNTS + HEAD_ACCOUNTS,
            counts=demo_counts(),
            open311_key=open311_key,
        )
    _territories_ensure(log)
    with transaction.atomic():
        DirectoryGenerator(log).run()
    places_sync_areas()
    _reports_ensure(log)
    _diagnosis_ensure(log)
    _plans_ensure(log)
    _partnerships_ensure(log)
    _engagement_ensure(log)
    return DemoResult(
        created=True,
        accounts=DEMO_ACCOUNTS + HEAD_ACCOUNTS,
        counts=demo_counts(),
        open311_key=open311_key,
    )


def _reports_ensure(log: Callable[[str], None]) -> None:
    """Generate the demo's threat-map reports once (none are made when some exist)."""
    from blisko.demo.reports import reports_demo_generate
    from blisko.reports.models import Report
    from blisko.territories.index import index_rebuild

    if Report.objects.exists():
        return
    index_rebuild()  # the beats just drawn must be in the index the reports are routed with
    result = reports_demo_generate(count=DEMO_REPORTS)
    log(f"{result.imported} demo reports generated and routed in {result.seconds:.1f} s.")


def _diagnosis_ensure(log: Callable[[str], None]) -> None:
    """Generate the diagnosis' demo data once (populations, statistics, incidents)."""
    from blisko.demo.diagnosis import diagnosis_demo_exists, diagnosis_demo_generate

    if diagnosis_demo_exists():
        return
    diagnosis_demo_generate(log=log)


def _plans_ensure(log: Callable[[str], None]) -> None:
    """Generate the demo's priority action plans once (none are made when some exist)."""
    from blisko.demo.plans import plans_demo_exists, plans_demo_generate

    if plans_demo_exists():
        return
    plans_demo_generate(log=log)


def _partnerships_ensure(log: Callable[[str], None]) -> None:
    """Generate the demo's memoranda, rollout targets and community heads once."""
    from blisko.demo.partnerships import partnerships_demo_exists, partnerships_demo_generate

    if partnerships_demo_exists():
        return
    with transaction.atomic():
        partnerships_demo_generate(log=log)


def _engagement_ensure(log: Callable[[str], None]) -> None:
    """Generate the demo's meetings, questions and presence records once."""
    from blisko.demo.engagement import engagement_demo_exists, engagement_demo_generate

    if engagement_demo_exists():
        return
    with transaction.atomic():
        engagement_demo_generate(log=log)


def _open311_key_ensure() -> str:
    """The demo's Open311 API key (created when absent), or "" when the setting is empty."""
    from blisko.reports.services.open311_keys import open311_key_ensure_demo

    ensured = open311_key_ensure_demo()
    return ensured[1] if ensured else ""


def _territories_ensure(log: Callable[[str], None]) -> None:
    present = Area.objects.filter(code__in=SENTINEL_CODES).count() == len(SENTINEL_CODES)
    if present and Place.objects.filter(kind=PlaceKind.VILLAGE).exists():
        log("Territories are already imported: reusing them.")
        return
    for path in BOUNDARY_FILES:
        result = territory_import(path=path, valid_from=BOUNDARIES_VALID_FROM, commit=True)
        log(
            f"{path.name}: {len(result.created)} new, {len(result.changed)} changed, "
            f"{len(result.unchanged)} unchanged"
        )
        for line in result.repaired:
            log(f"  repaired: {line}")
    places = places_import_katotth(path=CODIFIER_FILE, commit=True)
    log(f"{CODIFIER_FILE.name}: {len(places.created)} new places")
