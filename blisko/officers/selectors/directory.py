"""The offline directory: what changed since a version, for the apps that keep a copy."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from blisko.core.exceptions import ApplicationError
from blisko.core.models import DirectoryChange
from blisko.core.periods import valid_on
from blisko.officers.models import Assignment, Officer, Unit
from blisko.territories.models import Area


@dataclass
class DirectoryDelta:
    version: int
    areas: list[Area]
    officers: list[Officer]
    units: list[Unit]
    assignments: list[Assignment]
    deleted: dict[str, list[int]]


_DIRECTORY_MODELS: dict[str, Any] = {
    DirectoryChange.Entity.AREA: Area,
    DirectoryChange.Entity.OFFICER: Officer,
    DirectoryChange.Entity.UNIT: Unit,
    DirectoryChange.Entity.ASSIGNMENT: Assignment,
}


def _directory_querysets() -> dict[str, QuerySet[Any]]:
    return {
        "area": Area.objects.defer("boundary").order_by("pk"),
        "officer": Officer.objects.order_by("pk"),
        "unit": Unit.objects.order_by("pk"),
        "assignment": Assignment.objects.order_by("pk"),
    }


def directory_since(*, since: int) -> DirectoryDelta:
    """The directory records changed after version `since`, for offline apps.

    Preconditions: `since` is a whole number ≥ 0 (else ApplicationError).
    since=0 gives the whole directory as it is today: current areas, every officer and unit,
    and assignments not yet ended. Otherwise: the current state of every area, officer, unit
    and assignment changed after `since`, and in `deleted` (keys "area", "officer", "unit",
    "assignment") the ids of those deleted since. `version` is the last DirectoryChange id
    (or `since` when nothing changed); areas come without their boundary (deferred).
    """
    if isinstance(since, bool) or not isinstance(since, int) or since < 0:
        raise ApplicationError(_("“since” must be a whole number, 0 or more."), {"field": "since"})
    # Read the version first: a change committed meanwhile is then sent again next time.
    last = DirectoryChange.objects.order_by("-id").values_list("id", flat=True).first()
    version = max(last or 0, since)
    querysets = _directory_querysets()
    deleted: dict[str, list[int]] = {kind: [] for kind in _DIRECTORY_MODELS}
    if since == 0:
        today = timezone.localdate()
        return DirectoryDelta(
            version=version,
            areas=list(querysets["area"].filter(valid_on(today))),
            officers=list(querysets["officer"]),
            units=list(querysets["unit"]),
            assignments=list(
                querysets["assignment"].filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
            ),
            deleted=deleted,
        )
    changed: dict[str, set[int]] = {kind: set() for kind in _DIRECTORY_MODELS}
    for entity, entity_id in DirectoryChange.objects.filter(
        id__gt=since, id__lte=version
    ).values_list("entity", "entity_id"):
        changed.setdefault(entity, set()).add(entity_id)
    found: dict[str, list[Any]] = {}
    for kind in _DIRECTORY_MODELS:
        ids = changed.get(kind, set())
        found[kind] = list(querysets[kind].filter(pk__in=ids)) if ids else []
        deleted[kind] = sorted(ids - {obj.pk for obj in found[kind]})
    return DirectoryDelta(
        version=version,
        areas=found["area"],
        officers=found["officer"],
        units=found["unit"],
        assignments=found["assignment"],
        deleted=deleted,
    )
