"""Routing: which area a reported point lies in, and who verifies the report there.

A point goes to the finest area holding it (a service area if one covers it, else the
community), with the area's boundary version in force kept on the report. The report goes to
the officer of that area whose role matches the category (community or district officer for
local categories, traffic officer for road ones), to the officer covering them while they are
away; with no such officer, to the area's supervisor; and in every case to a police unit.
When an assignment changes, `reports_reroute` makes the area's open reports follow.
"""

import datetime as dt
import math
from dataclasses import dataclass
from functools import cached_property

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from blisko.core.exceptions import ApplicationError
from blisko.core.services import Actor, audit_record
from blisko.officers.models import Officer, Unit
from blisko.officers.selectors.find import (
    AreaOfficers,
    OfficerCard,
    area_officers,
    directory_cache_clear,
)
from blisko.reports.models import OPEN_STATUSES, Category, Report, ReportEvent, VerifierRole
from blisko.territories.models import Area, AreaBoundary
from blisko.territories.selectors.areas import area_boundary_version_id, area_for_point

ACTION_REROUTED = "rerouted"

# How deep the area hierarchy goes below an area whose assignments changed (region → beat).
_DESCENDANT_DEPTH = 4


@dataclass
class Routing:
    """Where a report belongs: its area (and the id of the boundary version in force), the
    officer who verifies it (None when the area has nobody on duty) and the police unit."""

    area: Area
    area_boundary_id: int | None
    officer: Officer | None
    unit: Unit | None

    @cached_property
    def area_boundary(self) -> AreaBoundary | None:
        """The boundary version itself, without its geometry: one query, made only when
        asked (a submission stores the id alone)."""
        if self.area_boundary_id is None:
            return None
        return AreaBoundary.objects.defer("boundary").get(pk=self.area_boundary_id)


def _on_duty(cards: list[OfficerCard]) -> Officer | None:
    """The first officer of the cards who is at work: covers come before the absent officer
    they stand in for (area_officers orders them so); deactivated officers are skipped."""
    for card in cards:
        if not card.is_absent and card.officer.is_active:
            return card.officer
    return None


def _choose(served: AreaOfficers, verifier_role: str) -> tuple[Officer | None, Unit | None]:
    """(officer, unit) for a category verified by `verifier_role` in the area served so."""
    cards = served.traffic_officers if verifier_role == VerifierRole.TRAFFIC else served.officers
    officer = _on_duty(cards)
    if officer is not None:
        return officer, officer.unit
    supervisor = _on_duty(served.supervisors)
    unit = served.unit or (supervisor.unit if supervisor is not None else None)
    return supervisor, unit


def _check_location(lon: float, lat: float) -> None:
    try:
        ok = math.isfinite(lon) and math.isfinite(lat)
    except TypeError:
        ok = False
    if not ok or not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise ApplicationError(
            _("The location must be a longitude and a latitude in WGS 84."),
            {"field": "location"},
        )


def report_route(
    *, lon: float, lat: float, category: Category, on: dt.date | None = None
) -> Routing:
    """Where a report of `category` at (lon, lat) goes on `on` (today by default).

    Area: the finest one holding the point, with its boundary version in force that day.
    Officer: the area's officer in the category's role on duty (a cover while the primary
    officer is away; for a service area without its own, its community's), else the
    supervisor of the area or of its nearest ancestor that has one, else None. Unit: the
    officer's, else the unit serving the area (or the supervisor's).
    Raises ApplicationError ({"field": "location"}) for a point that is not lon/lat or lies
    outside every territory. Reads only; for today it is served from the area index and the
    officers' cache, with no query when they are warm.
    """
    _check_location(lon, lat)
    area = area_for_point(lon=lon, lat=lat, on=on)
    if area is None:
        raise ApplicationError(
            _(
                "This place is outside every territory Blisko covers, so no police unit can "
                "verify a report there. Choose a place inside a community on the map."
            ),
            {"field": "location"},
        )
    served = area_officers(area=area, on=on, with_nearest_units=False)
    officer, unit = _choose(served, category.verifier_role)
    return Routing(
        area=area,
        area_boundary_id=area_boundary_version_id(area=area, on=on),
        officer=officer,
        unit=unit,
    )


def _below(area: Area) -> Q:
    """The area and every area below it."""
    condition = Q(pk=area.pk)
    for depth in range(1, _DESCENDANT_DEPTH + 1):
        condition |= Q(**{"__".join(["parent"] * depth) + "_id": area.pk})
    return condition


def _who(officer: Officer | None, unit: Unit | None) -> str:
    if officer is not None:
        return f"{officer} / {unit.name if unit is not None else '—'}"
    return unit.name if unit is not None else "—"


def _move(report: Report, officer: Officer | None, unit: Unit | None, actor: Actor) -> None:
    """Give one (locked) report to `officer` and `unit`, with its event and audit record."""
    before = _who(report.assigned_officer, report.assigned_unit)
    old = {"assigned_officer": report.assigned_officer_id, "assigned_unit": report.assigned_unit_id}
    report.assigned_officer = officer
    report.assigned_unit = unit
    report.save(update_fields=["assigned_officer", "assigned_unit", "updated_at"])
    note = f"{before} → {_who(officer, unit)}"
    ReportEvent.objects.create(
        report=report,
        actor=actor if getattr(actor, "is_authenticated", False) else None,  # type: ignore[misc]
        action=ACTION_REROUTED,
        from_status=report.status,
        to_status=report.status,
        note=note,
        is_public=False,
    )
    audit_record(
        actor=actor,
        entity="reports.report",
        entity_id=report.pk,
        action=ACTION_REROUTED,
        before=old,
        after={
            "assigned_officer": report.assigned_officer_id,
            "assigned_unit": report.assigned_unit_id,
        },
        note=note,
    )


def _reroute(open_reports: QuerySet[Report], actor: Actor) -> int:
    """Move the reports of `open_reports` whose officer or unit is not today's route.

    Compares per (area, category role, officer, unit) group, so only the reports that must
    move are read and locked; today's route is computed once per (area, role).
    """
    directory_cache_clear()
    groups = (
        open_reports.order_by()
        .values_list(
            "area_id", "category__verifier_role", "assigned_officer_id", "assigned_unit_id"
        )
        .distinct()
    )
    served: dict[int, AreaOfficers] = {}
    routes: dict[tuple[int, str], tuple[Officer | None, Unit | None]] = {}
    moved = 0
    for area_id, role, officer_id, unit_id in sorted(groups, key=str):
        if (area_id, role) not in routes:
            if area_id not in served:
                served[area_id] = area_officers(area=Area.objects.defer("boundary").get(pk=area_id))
            routes[(area_id, role)] = _choose(served[area_id], role)
        officer, unit = routes[(area_id, role)]
        if officer_id == (officer.pk if officer else None) and unit_id == (
            unit.pk if unit else None
        ):
            continue
        stale = (
            open_reports.select_for_update(of=("self",))
            .filter(
                area_id=area_id,
                category__verifier_role=role,
                assigned_officer_id=officer_id,
                assigned_unit_id=unit_id,
                status__in=OPEN_STATUSES,
            )
            .select_related("assigned_officer", "assigned_unit")
            .order_by("pk")
        )
        for report in stale:
            _move(report, officer, unit, actor)
            moved += 1
    return moved


@transaction.atomic
def reports_reroute(*, area: Area, actor: Actor) -> int:
    """Send the open reports of `area` and of every area below it (service areas; for a
    region or district, everything in it) to whoever serves them today. Returns how many moved.

    Call inside the transaction of the assignment change (the officers' services do), after
    the change is saved. The officers' per-process cache is dropped first, so the change is
    seen at once. Effects: for each report whose officer or unit changes, the two fields are
    saved (row locked), with one ReportEvent ("rerouted", police only) and one audit event
    holding them before and after. Reports already routed right are left as they are.
    """
    areas = Area.objects.filter(_below(area)).values("pk")
    return _reroute(Report.objects.filter(area__in=areas, status__in=OPEN_STATUSES), actor)


@transaction.atomic
def reports_reroute_all(*, actor: Actor = None) -> int:
    """Send every open report to whoever serves its area today; return how many moved.

    For the daily `reports_reroute` command: assignments and covers that start or end on a
    later day than they were entered take effect here. Effects as for reports_reroute.
    """
    return _reroute(Report.objects.filter(status__in=OPEN_STATUSES), actor)
