"""Writes to assignments: an officer serving an area in a role, for a term, or covering for
another. The rules (which role serves which level, one primary officer an area at a time,
covers inside the term they cover) are checked here and by the database's guard; every
change is audited, recorded for the offline apps and announced (`assignments_changed`), so
that open reports follow the officers now serving their area.

Why one module of over 400 lines: the rules of an assignment (roles per level, one primary
officer, covers) are checked by each write; they are read together.
"""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from blisko.core.exceptions import ApplicationError
from blisko.core.services import Actor, audit_record, directory_touch, full_clean
from blisko.officers.models import PRIMARY_ROLES, Assignment, Officer, Role
from blisko.officers.services.records import (
    changed_fields,
    day_text,
    field_names,
    record_delete,
    snapshot,
)
from blisko.officers.signals import assignments_changed
from blisko.territories.models import Area, Country, Level

# Which area levels each role may serve, per country (None: any country).
_ROLE_LEVELS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    Role.COMMUNITY_OFFICER: (Country.UKRAINE, (Level.COMMUNITY, Level.SERVICE_AREA)),
    Role.DISTRICT_OFFICER: (Country.POLAND, (Level.SERVICE_AREA, Level.COMMUNITY)),
    Role.TRAFFIC_OFFICER: (None, (Level.SERVICE_AREA, Level.COMMUNITY)),
    Role.SUPERVISOR: (None, tuple(Level.values)),
}

ASSIGNMENT_CHANGEABLE = (
    "officer",
    "area",
    "role",
    "starts_on",
    "ends_on",
    "covers",
    "cover_reason",
)

# The name of the database guard (migration 0002) in the error PostgreSQL or SQLite raises.
_PRIMARY_GUARD = "assignment_one_primary_per_area"


def _overlapping(qs: Any, *, starts_on: dt.date, ends_on: dt.date | None) -> Any:
    """Assignments of `qs` whose inclusive period meets [starts_on, ends_on]."""
    if ends_on is not None:
        qs = qs.filter(starts_on__lte=ends_on)
    return qs.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))


def _primary_overlap(assignment: Assignment) -> Assignment | None:
    """The other primary assignment of the area that overlaps this one, if any."""
    others = Assignment.objects.filter(area_id=assignment.area_id, is_primary=True)
    if assignment.pk is not None:
        others = others.exclude(pk=assignment.pk)
    return (
        _overlapping(others, starts_on=assignment.starts_on, ends_on=assignment.ends_on)
        .select_related("officer")
        .order_by("starts_on")
        .first()
    )


def _check_role_fits_area(role: str, area: Area) -> None:
    country, levels = _ROLE_LEVELS[role]
    if area.level in levels and (country is None or area.country == country):
        return
    messages: dict[str, str] = {
        Role.COMMUNITY_OFFICER: _(
            "A community police officer serves a community or a service area in Ukraine."
        ),
        Role.DISTRICT_OFFICER: _(
            "A district officer serves a service area or a community in Poland."
        ),
        Role.TRAFFIC_OFFICER: _("A traffic officer serves a service area or a community."),
    }
    raise ApplicationError(
        messages.get(role, _("This role cannot serve this area.")),
        {"field": "role", "area_level": area.level, "area_country": area.country},
    )


def _check_cover(assignment: Assignment) -> None:
    covered = assignment.covers
    if covered is None:
        if assignment.cover_reason:
            raise ApplicationError(
                _("A reason for cover is only given for an assignment that covers another one."),
                {"field": "cover_reason"},
            )
        return
    if assignment.pk is not None and covered.pk == assignment.pk:
        raise ApplicationError(_("An assignment cannot cover itself."), {"field": "covers"})
    if covered.covers_id is not None:
        raise ApplicationError(
            _("This assignment is itself a cover; cover the original assignment instead."),
            {"field": "covers"},
        )
    if not assignment.cover_reason:
        raise ApplicationError(
            _("Give the reason for the cover (leave, sick leave, training or other)."),
            {"field": "cover_reason"},
        )
    if covered.area_id != assignment.area_id:
        raise ApplicationError(
            _("A cover serves the same area as the assignment it covers."), {"field": "area"}
        )
    if covered.role != assignment.role:
        raise ApplicationError(
            _("A cover takes the role of the assignment it covers."), {"field": "role"}
        )
    if covered.officer_id == assignment.officer_id:
        raise ApplicationError(
            _("An officer cannot cover their own assignment."), {"field": "officer"}
        )
    ends_inside = covered.ends_on is None or (
        assignment.ends_on is not None and assignment.ends_on <= covered.ends_on
    )
    if assignment.starts_on < covered.starts_on or not ends_inside:
        raise ApplicationError(
            _(
                "A cover must lie inside the period of the assignment it covers "
                "(%(starts)s – %(ends)s)."
            )
            % {"starts": day_text(covered.starts_on), "ends": day_text(covered.ends_on)},
            {"field": "starts_on"},
        )


def _check_covers_still_fit(assignment: Assignment) -> None:
    """An existing assignment's covers must still fit it after a change of its own."""
    if assignment.pk is None:
        return
    for cover in assignment.covered_by.select_related("officer"):
        inside = assignment.starts_on <= cover.starts_on and (
            assignment.ends_on is None
            or (cover.ends_on is not None and cover.ends_on <= assignment.ends_on)
        )
        if not inside or cover.area_id != assignment.area_id or cover.role != assignment.role:
            raise ApplicationError(
                _(
                    "%(officer)s covers this assignment from %(starts)s to %(ends)s; "
                    "change or delete that cover first."
                )
                % {
                    "officer": cover.officer.full_name,
                    "starts": day_text(cover.starts_on),
                    "ends": day_text(cover.ends_on),
                },
                {"cover": cover.pk},
            )


def _overlap_error(other: Assignment | None, area: Area) -> ApplicationError:
    if other is None:
        return ApplicationError(
            _(
                "Another primary officer was assigned to %(area)s for an overlapping period at "
                "the same moment. Reload and check the area's assignments."
            )
            % {"area": area.name},
            {"field": "starts_on"},
        )
    return ApplicationError(
        _(
            "%(area)s already has a primary officer for this period: %(officer)s, from "
            "%(starts)s to %(ends)s. End that assignment first, or make this one a cover."
        )
        % {
            "area": area.name,
            "officer": other.officer.full_name,
            "starts": day_text(other.starts_on),
            "ends": day_text(other.ends_on),
        },
        {"field": "starts_on", "conflict": other.pk},
    )


def assignment_check(*, assignment: Assignment, old: Assignment | None = None) -> None:
    """Check an assignment against every rule; raise ApplicationError on the first broken one.

    `old` is the stored row when this is an update (None for a new assignment). Sets
    `assignment.is_primary`. Forms (the admin) may call this from `clean()` to show the
    error beside the form; the services call it again inside their transaction.
    """
    if assignment.starts_on is None:
        raise ApplicationError(_("Give the date the assignment starts."), {"field": "starts_on"})
    if assignment.ends_on is not None and assignment.ends_on < assignment.starts_on:
        raise ApplicationError(
            _("An assignment cannot end (%(ends)s) before it starts (%(starts)s).")
            % {"ends": day_text(assignment.ends_on), "starts": day_text(assignment.starts_on)},
            {"field": "ends_on"},
        )
    officer_is_new = old is None or old.officer_id != assignment.officer_id
    if officer_is_new and not assignment.officer.is_active:
        raise ApplicationError(
            _("%(officer)s is not active and cannot be assigned.")
            % {"officer": assignment.officer.full_name},
            {"field": "officer"},
        )
    if assignment.role not in Role.values:
        raise ApplicationError(_("Choose a role."), {"field": "role"})
    _check_role_fits_area(assignment.role, assignment.area)
    _check_cover(assignment)
    _check_covers_still_fit(assignment)
    assignment.is_primary = assignment.role in PRIMARY_ROLES and assignment.covers_id is None
    if assignment.is_primary:
        other = _primary_overlap(assignment)
        if other is not None:
            raise _overlap_error(other, assignment.area)
    duplicate = _overlapping(
        Assignment.objects.filter(
            officer_id=assignment.officer_id, area_id=assignment.area_id, role=assignment.role
        ).exclude(pk=assignment.pk),
        starts_on=assignment.starts_on,
        ends_on=assignment.ends_on,
    ).first()
    if duplicate is not None:
        raise ApplicationError(
            _("%(officer)s already serves this area in this role from %(starts)s to %(ends)s.")
            % {
                "officer": assignment.officer.full_name,
                "starts": day_text(duplicate.starts_on),
                "ends": day_text(duplicate.ends_on),
            },
            {"field": "officer", "conflict": duplicate.pk},
        )


def _reports_follow(*, area_ids: set[int | None], actor: Actor) -> None:
    """Open reports of these areas (and below) follow the officers now serving them.

    Call inside the transaction of the assignment change, after it is saved. The apps that
    route reports listen to `assignments_changed` (blisko.officers.signals).
    """
    areas = list(Area.objects.filter(pk__in={pk for pk in area_ids if pk is not None}))
    if areas:
        assignments_changed.send(sender=Assignment, areas=areas, actor=actor)


def _assignment_store(
    *, assignment: Assignment, actor: Actor, action: str | None = None, note: str = ""
) -> Assignment:
    """Check, save (changed fields only on update), audit and record one assignment.

    Call inside a transaction. Locks the area's row first, so that two writers of one area's
    assignments take turns on PostgreSQL and the check in Python sees the other's row.
    """
    list(Area.objects.select_for_update().filter(pk=assignment.area_id).values_list("pk"))
    old = None
    if assignment.pk is not None:
        old = Assignment.objects.select_for_update().get(pk=assignment.pk)
    assignment_check(assignment=assignment, old=old)
    names = field_names(Assignment)
    changed = names if old is None else changed_fields(old, assignment)
    if not changed:
        return assignment
    full_clean(assignment)
    try:
        # A savepoint: the guard's error must not break the caller's transaction.
        with transaction.atomic():
            if old is None:
                assignment.save()
            else:
                assignment.save(update_fields=[*changed, "updated_at"])
    except IntegrityError as error:
        if _PRIMARY_GUARD in str(error):
            raise _overlap_error(None, assignment.area) from error
        raise ApplicationError(
            _("The assignment could not be saved: it conflicts with another record.")
        ) from error
    audit_record(
        actor=actor,
        entity="officers.assignment",
        entity_id=assignment.pk,
        action=action or ("created" if old is None else "updated"),
        before=None if old is None else snapshot(old, changed),
        after=snapshot(assignment, changed),
        note=note,
    )
    directory_touch(entity="assignment", entity_id=assignment.pk)
    return assignment


@transaction.atomic
def assignment_create(
    *,
    actor: Actor,
    officer: Officer,
    area: Area,
    role: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    covers: Assignment | None = None,
    cover_reason: str = "",
) -> Assignment:
    """Assign an officer to an area in a role from `starts_on` to `ends_on` (inclusive).

    Preconditions: the officer is active; the role fits the area's level and country; the
    period is ordered; a primary (community or district) assignment overlaps no other primary
    one of the area; a cover (`covers` set) lies inside the covered assignment's period, in
    its area and role, with a `cover_reason`. Each broken rule raises ApplicationError.
    Effects: the assignment is created (is_primary set), with an audit event ("created") and
    a directory change.
    """
    assignment = Assignment(
        officer=officer,
        area=area,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
        covers=covers,
        cover_reason=cover_reason,
    )
    _assignment_store(assignment=assignment, actor=actor)
    _reports_follow(area_ids={assignment.area_id}, actor=actor)
    return assignment


@transaction.atomic
def assignment_update(*, actor: Actor, assignment: Assignment, **changes: Any) -> Assignment:
    """Change some fields of an assignment: officer, area, role, starts_on, ends_on, covers,
    cover_reason.

    Preconditions: as for assignment_create, for the assignment as it would be after the
    change; its own covers must still fit it. Unknown keys raise ApplicationError.
    Effects: only the changed fields are saved; an audit event ("updated") holds them before
    and after; a directory change is recorded. Nothing is written when nothing changes.
    """
    unknown = sorted(set(changes) - set(ASSIGNMENT_CHANGEABLE))
    if unknown:
        raise ApplicationError(
            _("These fields of an assignment cannot be changed: %(fields)s.")
            % {"fields": ", ".join(unknown)},
            {"fields": unknown},
        )
    fresh = Assignment.objects.select_related("officer", "area", "covers").get(pk=assignment.pk)
    old_area_id = fresh.area_id
    for name, value in changes.items():
        setattr(fresh, name, value)
    _assignment_store(assignment=fresh, actor=actor)
    _reports_follow(area_ids={old_area_id, fresh.area_id}, actor=actor)
    assignment.refresh_from_db()
    return assignment


@transaction.atomic
def assignment_save(*, assignment: Assignment, actor: Actor) -> Assignment:
    """Create or update an assignment built by a form (the admin), under the same rules.

    Preconditions and effects: as assignment_create for a new one, assignment_update for an
    existing one (only changed fields saved; "created"/"updated" audit event).
    """
    stored = Assignment.objects.filter(pk=assignment.pk).values_list("area_id", flat=True)
    old_area_id = stored.first() if assignment.pk is not None else None
    _assignment_store(assignment=assignment, actor=actor)
    _reports_follow(area_ids={old_area_id, assignment.area_id}, actor=actor)
    return assignment


@transaction.atomic
def assignment_end(
    *, actor: Actor, assignment: Assignment, ends_on: dt.date, note: str = ""
) -> Assignment:
    """End an assignment on `ends_on` (the last day served, inclusive).

    Preconditions: `ends_on` is not before the assignment starts; no cover of it starts after
    `ends_on` (delete such covers first). The end may also move later, if no other primary
    officer of the area is in the way.
    Effects: covers running past `ends_on` end on it too; each change writes an audit event
    ("ended", with the note) and a directory change.
    """
    assignment = Assignment.objects.select_related("officer", "area", "covers").get(
        pk=assignment.pk
    )
    if ends_on < assignment.starts_on:
        raise ApplicationError(
            _("An assignment cannot end (%(ends)s) before it starts (%(starts)s).")
            % {"ends": day_text(ends_on), "starts": day_text(assignment.starts_on)},
            {"field": "ends_on"},
        )
    covers = list(assignment.covered_by.select_related("officer", "area", "covers"))
    for cover in covers:
        if cover.starts_on > ends_on:
            raise ApplicationError(
                _(
                    "%(officer)s covers this assignment from %(starts)s, after %(ends)s; "
                    "delete that cover first."
                )
                % {
                    "officer": cover.officer.full_name,
                    "starts": day_text(cover.starts_on),
                    "ends": day_text(ends_on),
                },
                {"cover": cover.pk},
            )
    for cover in covers:
        if cover.ends_on is None or cover.ends_on > ends_on:
            cover.ends_on = ends_on
            _assignment_store(
                assignment=cover,
                actor=actor,
                action="ended",
                note=note or _("Ended with the assignment it covers."),
            )
    assignment.ends_on = ends_on
    _assignment_store(assignment=assignment, actor=actor, action="ended", note=note)
    _reports_follow(area_ids={assignment.area_id}, actor=actor)
    return assignment


@transaction.atomic
def assignment_delete(*, actor: Actor, assignment: Assignment) -> None:
    """Delete an assignment entered by mistake, with its covers.

    Preconditions: none (to keep the history of a real assignment, end it instead).
    Effects: the covers and the assignment are deleted; each gets an audit event ("deleted",
    with its fields before) and a directory deletion.
    """
    for cover in Assignment.objects.filter(covers=assignment):
        record_delete(
            instance=cover, actor=actor, entity="officers.assignment", directory="assignment"
        )
    area_id = assignment.area_id
    record_delete(
        instance=assignment, actor=actor, entity="officers.assignment", directory="assignment"
    )
    _reports_follow(area_ids={area_id}, actor=actor)
