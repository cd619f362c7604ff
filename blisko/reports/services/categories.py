"""Writes to the closed list of categories: add, edit, retire, reactivate; never lose reports.

A category with reports is never deleted: it is retired (`is_active = False`), so residents
can no longer choose it while its old reports keep it. Changing a category's public
precision moves the public location of every report of that category (`public_location_for`).
Every write is atomic and leaves an audit event ("reports.category").
"""

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from blisko.core.exceptions import ApplicationError
from blisko.core.services import Actor, audit_record, full_clean
from blisko.reports.models import Category, Precision, Report
from blisko.reports.rules import public_location_for

ENTITY = "reports.category"
CATEGORY_FIELDS = (
    "code",
    "name_pl",
    "name_uk",
    "name_en",
    "verifier_role",
    "precision",
    "is_active",
    "sort_order",
)
# Reports re-located per batch when a category becomes "reduced" (computed in Python).
_RELOCATE_BATCH = 2000


def _snapshot(category: Category, names: tuple[str, ...] | list[str]) -> dict[str, Any]:
    return {name: getattr(category, name) for name in names}


def reports_relocate(*, category: Category) -> int:
    """Recompute the public location of every report of `category` from its precision.

    Call inside the transaction that changed the precision. "exact" copies the exact point
    and "hidden" clears it, each in one UPDATE (the same result as `public_location_for`);
    "reduced" snaps each point to the grid with `public_location_for`, in batches.
    Returns how many reports there are in the category.
    """
    reports = Report.objects.filter(category=category)
    if category.precision == Precision.HIDDEN:
        return reports.update(public_location=None)
    if category.precision == Precision.EXACT:
        # The exact point, as it is stored: the same as public_location_for(location, exact).
        return reports.update(public_location=F("location"))
    count = 0
    batch: list[Report] = []
    for report in reports.only("pk", "location").order_by("pk").iterator(_RELOCATE_BATCH):
        report.public_location = public_location_for(report.location, category.precision)
        batch.append(report)
        if len(batch) >= _RELOCATE_BATCH:
            Report.objects.bulk_update(batch, ["public_location"])
            count += len(batch)
            batch = []
    if batch:
        Report.objects.bulk_update(batch, ["public_location"])
        count += len(batch)
    return count


@transaction.atomic
def category_save(*, category: Category, actor: Actor) -> Category:
    """Create or update a category built by a form (or in code).

    Preconditions: none; the row is validated here. The code of a category that has reports
    cannot change (Open311 clients and old links name it).
    Effects: saves the changed fields and writes an audit event ("created" or "updated" with
    the fields before and after). When the precision changed, every report of the category
    gets its public location recomputed (`reports_relocate`), in the same transaction; the
    event's note says how many. Nothing is written when nothing changed.
    """
    if category.pk is None:
        full_clean(category)
        category.save()
        audit_record(
            actor=actor,
            entity=ENTITY,
            entity_id=category.pk,
            action="created",
            after=_snapshot(category, CATEGORY_FIELDS),
        )
        return category

    old = Category.objects.select_for_update().get(pk=category.pk)
    changed = [name for name in CATEGORY_FIELDS if getattr(old, name) != getattr(category, name)]
    if not changed:
        return category
    if "code" in changed and Report.objects.filter(category=old).exists():
        raise ApplicationError(
            _(
                "The code of a category that has reports cannot change: Open311 clients and "
                "saved links use it. Add a new category and retire this one instead."
            ),
            {"field": "code"},
        )
    full_clean(category)
    category.save(update_fields=[*changed, "updated_at"])
    note = ""
    if "precision" in changed:
        moved = reports_relocate(category=category)
        note = f"public location recomputed for {moved} report(s)"
    audit_record(
        actor=actor,
        entity=ENTITY,
        entity_id=category.pk,
        action="updated",
        before=_snapshot(old, changed),
        after=_snapshot(category, changed),
        note=note,
    )
    return category


def _set_active(*, category: Category, is_active: bool, actor: Actor) -> Category:
    fresh = Category.objects.select_for_update().get(pk=category.pk)
    if fresh.is_active == is_active:
        category.is_active = is_active
        return category
    fresh.is_active = is_active
    fresh.save(update_fields=["is_active", "updated_at"])
    audit_record(
        actor=actor,
        entity=ENTITY,
        entity_id=fresh.pk,
        action="reactivated" if is_active else "retired",
        before={"is_active": not is_active},
        after={"is_active": is_active},
    )
    category.is_active = is_active
    return category


@transaction.atomic
def category_retire(*, category: Category, actor: Actor) -> Category:
    """Retire a category: residents can no longer choose it; its reports stay as they are.

    Idempotent: retiring a retired category writes nothing. Effects: `is_active = False` and
    an audit event "retired".
    """
    return _set_active(category=category, is_active=False, actor=actor)


@transaction.atomic
def category_reactivate(*, category: Category, actor: Actor) -> Category:
    """Offer a retired category to residents again.

    Idempotent. Effects: `is_active = True` and an audit event "reactivated".
    """
    return _set_active(category=category, is_active=True, actor=actor)


@transaction.atomic
def category_delete(*, category: Category, actor: Actor) -> None:
    """Delete a category that never had a report (one added by mistake).

    Refused (ApplicationError) when any report has the category: it is retired instead.
    Effects: the row is deleted and an audit event "deleted" is written.
    """
    count = Report.objects.filter(category=category).count()
    if count:
        raise ApplicationError(
            _(
                "%(category)s has %(count)d report(s), which must keep their category. "
                "Retire the category instead of deleting it."
            )
            % {"category": category.name, "count": count}
        )
    entity_id = category.pk
    before = _snapshot(category, CATEGORY_FIELDS)
    category.delete()
    audit_record(actor=actor, entity=ENTITY, entity_id=entity_id, action="deleted", before=before)
