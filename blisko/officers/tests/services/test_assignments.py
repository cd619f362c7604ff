import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from blisko.core.exceptions import ApplicationError
from blisko.core.models import AuditEvent, DirectoryChange
from blisko.officers.models import Assignment, CoverReason, Role
from blisko.officers.services import assignments
from blisko.officers.services.assignments import (
    assignment_create,
    assignment_delete,
    assignment_end,
    assignment_save,
    assignment_update,
)
from blisko.officers.tests.factories import (
    AreaFactory,
    AssignmentFactory,
    OfficerFactory,
    ServiceAreaFactory,
)
from blisko.territories.models import Area, Country, Level

pytestmark = pytest.mark.django_db

JAN_1 = dt.date(2024, 1, 1)
JUN_30 = dt.date(2024, 6, 30)
JUL_1 = dt.date(2024, 7, 1)
DEC_31 = dt.date(2024, 12, 31)


@pytest.fixture
def community():
    return AreaFactory()


def _audit(assignment_id):
    return list(
        AuditEvent.objects.filter(entity="officers.assignment", entity_id=str(assignment_id))
        .order_by("id")
        .values_list("action", flat=True)
    )


def _touched(assignment_id):
    return DirectoryChange.objects.filter(entity="assignment", entity_id=assignment_id)


def test_create_makes_an_active_officer_the_primary_officer_of_a_community(actor, community):
    officer = OfficerFactory()

    assignment = assignment_create(
        actor=actor, officer=officer, area=community, role=Role.COMMUNITY_OFFICER, starts_on=JAN_1
    )

    assert assignment.pk is not None
    assert assignment.is_primary
    event = AuditEvent.objects.get(entity="officers.assignment", entity_id=str(assignment.pk))
    assert event.action == "created"
    assert event.actor == actor
    assert event.before is None
    assert event.after["officer"] == officer.pk
    assert event.after["starts_on"] == "2024-01-01"
    assert event.after["is_primary"] is True
    assert _touched(assignment.pk).filter(is_deleted=False).exists()


def test_create_refuses_a_second_primary_officer_overlapping_in_the_same_area(actor, community):
    first = OfficerFactory(first_name="Ірина", last_name="Бондар")
    assignment_create(
        actor=actor,
        officer=first,
        area=community,
        role=Role.COMMUNITY_OFFICER,
        starts_on=JAN_1,
        ends_on=DEC_31,
    )

    with pytest.raises(ApplicationError) as refused:
        assignment_create(
            actor=actor,
            officer=OfficerFactory(),
            area=community,
            role=Role.COMMUNITY_OFFICER,
            starts_on=JUL_1,
        )

    assert "Ірина Бондар" in refused.value.message
    assert "already has a primary officer" in refused.value.message
    assert "12/31/2024" in refused.value.message or "2024" in refused.value.message
    assert Assignment.objects.filter(area=community).count() == 1


def test_create_refuses_an_open_ended_primary_officer_overlapping_a_later_one(actor, community):
    AssignmentFactory(area=community, starts_on=JUL_1, ends_on=DEC_31)

    with pytest.raises(ApplicationError, match="already has a primary officer"):
        assignment_create(
            actor=actor,
            officer=OfficerFactory(),
            area=community,
            role=Role.COMMUNITY_OFFICER,
            starts_on=JAN_1,
        )


def test_create_allows_back_to_back_primary_assignments(actor, community):
    assignment_create(
        actor=actor,
        officer=OfficerFactory(),
        area=community,
        role=Role.COMMUNITY_OFFICER,
        starts_on=JAN_1,
        ends_on=JUN_30,
    )

    second = assignment_create(
        actor=actor,
        officer=OfficerFactory(),
        area=community,
        role=Role.COMMUNITY_OFFICER,
        starts_on=JUL_1,
    )

    assert second.is_primary
    assert Assignment.objects.filter(area=community, is_primary=True).count() == 2


def test_create_refuses_an_assignment_that_ends_before_it_starts(actor, community):
    with pytest.raises(ApplicationError, match="cannot end .* before it starts"):
        assignment_create(
            actor=actor,
            officer=OfficerFactory(),
            area=community,
            role=Role.COMMUNITY_OFFICER,
            starts_on=JUL_1,
            ends_on=JUN_30,
        )
    assert not Assignment.objects.filter(area=community).exists()


def test_create_refuses_an_inactive_officer(actor, community):
    with pytest.raises(ApplicationError, match="not active"):
        assignment_create(
            actor=actor,
            officer=OfficerFactory(is_active=False),
            area=community,
            role=Role.COMMUNITY_OFFICER,
            starts_on=JAN_1,
        )


@pytest.mark.parametrize(
    ("country", "level", "role", "allowed"),
    [
        (Country.UKRAINE, Level.COMMUNITY, Role.COMMUNITY_OFFICER, True),
        (Country.UKRAINE, Level.SERVICE_AREA, Role.COMMUNITY_OFFICER, True),
        (Country.POLAND, Level.COMMUNITY, Role.COMMUNITY_OFFICER, False),
        (Country.UKRAINE, Level.DISTRICT, Role.COMMUNITY_OFFICER, False),
        (Country.POLAND, Level.SERVICE_AREA, Role.DISTRICT_OFFICER, True),
        (Country.POLAND, Level.COMMUNITY, Role.DISTRICT_OFFICER, True),
        (Country.UKRAINE, Level.COMMUNITY, Role.DISTRICT_OFFICER, False),
        (Country.POLAND, Level.SERVICE_AREA, Role.TRAFFIC_OFFICER, True),
        (Country.UKRAINE, Level.COMMUNITY, Role.TRAFFIC_OFFICER, True),
        (Country.UKRAINE, Level.REGION, Role.TRAFFIC_OFFICER, False),
        (Country.UKRAINE, Level.REGION, Role.SUPERVISOR, True),
        (Country.POLAND, Level.SERVICE_AREA, Role.SUPERVISOR, True),
    ],
)
def test_the_role_must_fit_the_level_and_country_of_the_area(actor, country, level, role, allowed):
    area = AreaFactory(country=country, level=level)

    def create():
        return assignment_create(
            actor=actor, officer=OfficerFactory(), area=area, role=role, starts_on=JAN_1
        )

    if allowed:
        assert create().role == role
    else:
        with pytest.raises(ApplicationError) as refused:
            create()
        assert refused.value.extra["field"] == "role"


def test_a_cover_inside_the_covered_period_with_a_reason_is_allowed(actor, community):
    covered = AssignmentFactory(area=community, starts_on=JAN_1, ends_on=DEC_31)

    cover = assignment_create(
        actor=actor,
        officer=OfficerFactory(),
        area=community,
        role=Role.COMMUNITY_OFFICER,
        starts_on=JUL_1,
        ends_on=dt.date(2024, 7, 14),
        covers=covered,
        cover_reason=CoverReason.LEAVE,
    )

    assert not cover.is_primary
    assert cover.covers == covered


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"cover_reason": ""}, "reason for the cover"),
        ({"starts_on": dt.date(2023, 12, 20)}, "inside the period"),
        ({"ends_on": dt.date(2025, 1, 5)}, "inside the period"),
        ({"ends_on": None}, "inside the period"),
        ({"role": Role.TRAFFIC_OFFICER}, "takes the role"),
    ],
)
def test_a_cover_is_refused_outside_the_rules(actor, community, changes, message):
    covered = AssignmentFactory(area=community, starts_on=JAN_1, ends_on=DEC_31)
    arguments = {
        "actor": actor,
        "officer": OfficerFactory(),
        "area": community,
        "role": Role.COMMUNITY_OFFICER,
        "starts_on": JUL_1,
        "ends_on": dt.date(2024, 7, 14),
        "covers": covered,
        "cover_reason": CoverReason.SICK,
    }
    arguments.update(changes)

    with pytest.raises(ApplicationError, match=message):
        assignment_create(**arguments)


def test_a_cover_in_another_area_is_refused(actor, community):
    covered = AssignmentFactory(area=community, starts_on=JAN_1)

    with pytest.raises(ApplicationError, match="same area"):
        assignment_create(
            actor=actor,
            officer=OfficerFactory(),
            area=AreaFactory(),
            role=Role.COMMUNITY_OFFICER,
            starts_on=JUL_1,
            ends_on=dt.date(2024, 7, 14),
            covers=covered,
            cover_reason=CoverReason.TRAINING,
        )


def test_a_reason_for_cover_without_a_covered_assignment_is_refused(actor, community):
    with pytest.raises(ApplicationError, match="only given"):
        assignment_create(
            actor=actor,
            officer=OfficerFactory(),
            area=community,
            role=Role.TRAFFIC_OFFICER,
            starts_on=JAN_1,
            cover_reason=CoverReason.LEAVE,
        )


def test_one_traffic_officer_may_serve_several_service_areas_at_once(actor, community):
    traffic = OfficerFactory()
    beats = [ServiceAreaFactory(parent=community, centre=(24.0, 48.2 + i / 1000)) for i in (0, 1)]

    for beat in beats:
        assignment_create(
            actor=actor, officer=traffic, area=beat, role=Role.TRAFFIC_OFFICER, starts_on=JAN_1
        )

    assert Assignment.objects.filter(officer=traffic, is_primary=False).count() == 2


def test_the_database_refuses_two_overlapping_primary_officers_written_around_the_services(
    community,
):
    AssignmentFactory(area=community, starts_on=JAN_1, ends_on=DEC_31)

    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            officer=OfficerFactory(),
            area=community,
            role=Role.COMMUNITY_OFFICER,
            is_primary=True,
            starts_on=JUN_30,
        )


def test_the_database_allows_back_to_back_primary_officers_written_around_the_services(
    community,
):
    AssignmentFactory(area=community, starts_on=JAN_1, ends_on=JUN_30)

    Assignment.objects.create(
        officer=OfficerFactory(),
        area=community,
        role=Role.COMMUNITY_OFFICER,
        is_primary=True,
        starts_on=JUL_1,
    )

    assert Assignment.objects.filter(area=community).count() == 2


def test_create_turns_the_database_guard_into_a_clear_error_when_a_concurrent_write_wins(
    actor, community, monkeypatch
):
    AssignmentFactory(area=community, starts_on=JAN_1, ends_on=DEC_31)
    # As if the other primary assignment were committed after the check in Python ran.
    monkeypatch.setattr(assignments, "_primary_overlap", lambda assignment: None)

    with pytest.raises(ApplicationError, match="at the same moment"):
        assignment_create(
            actor=actor,
            officer=OfficerFactory(),
            area=community,
            role=Role.COMMUNITY_OFFICER,
            starts_on=JUL_1,
        )

    assert Assignment.objects.filter(area=community).count() == 1


def test_update_saves_only_the_changed_fields_and_audits_them(actor, community):
    assignment = assignment_create(
        actor=actor,
        officer=OfficerFactory(),
        area=community,
        role=Role.COMMUNITY_OFFICER,
        starts_on=JAN_1,
    )
    versions = DirectoryChange.objects.count()

    with CaptureQueriesContext(connection) as queries:
        assignment_update(actor=actor, assignment=assignment, ends_on=DEC_31)

    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert "ends_on" in updates[0] and "officer_id" not in updates[0]
    assert assignment.ends_on == DEC_31
    event = AuditEvent.objects.filter(entity="officers.assignment").latest("id")
    assert event.action == "updated"
    assert event.before == {"ends_on": None}
    assert event.after == {"ends_on": "2024-12-31"}
    assert DirectoryChange.objects.count() == versions + 1


def test_update_that_changes_nothing_writes_nothing(actor, community):
    assignment = AssignmentFactory(area=community, starts_on=JAN_1)
    events = AuditEvent.objects.count()

    assignment_update(actor=actor, assignment=assignment, starts_on=JAN_1)

    assert AuditEvent.objects.count() == events


def test_update_refuses_a_change_that_overlaps_another_primary_officer(actor, community):
    AssignmentFactory(area=community, starts_on=JUL_1)
    earlier = AssignmentFactory(area=community, starts_on=JAN_1, ends_on=JUN_30)

    with pytest.raises(ApplicationError, match="already has a primary officer"):
        assignment_update(actor=actor, assignment=earlier, ends_on=None)

    earlier.refresh_from_db()
    assert earlier.ends_on == JUN_30


def test_update_refuses_fields_that_cannot_be_changed(actor, community):
    assignment = AssignmentFactory(area=community)

    with pytest.raises(ApplicationError, match="is_primary"):
        assignment_update(actor=actor, assignment=assignment, is_primary=False)


def test_update_refuses_to_move_an_assignment_away_from_its_covers(actor, community):
    covered = AssignmentFactory(area=community, starts_on=JAN_1, ends_on=DEC_31)
    AssignmentFactory(
        area=community,
        covers=covered,
        cover_reason=CoverReason.LEAVE,
        starts_on=JUL_1,
        ends_on=dt.date(2024, 7, 14),
    )

    with pytest.raises(ApplicationError, match="covers this assignment"):
        assignment_update(actor=actor, assignment=covered, ends_on=JUN_30)


def test_save_creates_and_updates_an_assignment_built_by_a_form(actor, community):
    officer = OfficerFactory()
    built = Assignment(
        officer=officer, area=community, role=Role.COMMUNITY_OFFICER, starts_on=JAN_1
    )

    saved = assignment_save(assignment=built, actor=actor)
    saved.ends_on = DEC_31
    assignment_save(assignment=saved, actor=actor)

    saved.refresh_from_db()
    assert saved.is_primary and saved.ends_on == DEC_31
    assert _audit(saved.pk) == ["created", "updated"]


def test_save_applies_the_same_rules_as_create(actor, community):
    AssignmentFactory(area=community, starts_on=JAN_1)
    built = Assignment(
        officer=OfficerFactory(), area=community, role=Role.COMMUNITY_OFFICER, starts_on=JUL_1
    )

    with pytest.raises(ApplicationError, match="already has a primary officer"):
        assignment_save(assignment=built, actor=actor)


def test_end_sets_the_last_day_and_keeps_the_note_in_the_audit(actor, community):
    assignment = AssignmentFactory(area=community, starts_on=JAN_1)

    assignment_end(actor=actor, assignment=assignment, ends_on=JUN_30, note="Transferred")

    assignment.refresh_from_db()
    assert assignment.ends_on == JUN_30
    event = AuditEvent.objects.filter(entity="officers.assignment").latest("id")
    assert (event.action, event.note, event.after) == (
        "ended",
        "Transferred",
        {"ends_on": "2024-06-30"},
    )


def test_end_refuses_a_day_before_the_assignment_starts(actor, community):
    assignment = AssignmentFactory(area=community, starts_on=JUL_1)

    with pytest.raises(ApplicationError, match="before it starts"):
        assignment_end(actor=actor, assignment=assignment, ends_on=JUN_30)


def test_end_also_ends_the_covers_running_past_the_new_end(actor, community):
    covered = AssignmentFactory(area=community, starts_on=JAN_1)
    cover = AssignmentFactory(
        area=community, covers=covered, cover_reason=CoverReason.SICK, starts_on=JUN_30
    )

    assignment_end(actor=actor, assignment=covered, ends_on=JUL_1)

    cover.refresh_from_db()
    assert cover.ends_on == JUL_1
    assert _audit(cover.pk) == ["ended"]
    assert _audit(covered.pk) == ["ended"]


def test_end_refuses_while_a_cover_starts_after_the_new_end(actor, community):
    covered = AssignmentFactory(area=community, starts_on=JAN_1)
    AssignmentFactory(
        area=community, covers=covered, cover_reason=CoverReason.SICK, starts_on=DEC_31
    )

    with pytest.raises(ApplicationError, match="delete that cover first"):
        assignment_end(actor=actor, assignment=covered, ends_on=JUL_1)


def test_delete_removes_the_assignment_and_its_covers_and_records_both(actor, community):
    covered = AssignmentFactory(area=community, starts_on=JAN_1)
    cover = AssignmentFactory(
        area=community, covers=covered, cover_reason=CoverReason.LEAVE, starts_on=JUL_1
    )

    covered_id, cover_id = covered.pk, cover.pk

    assignment_delete(actor=actor, assignment=covered)

    assert not Assignment.objects.filter(pk__in=[covered_id, cover_id]).exists()
    assert _audit(covered_id) == ["deleted"]
    assert _audit(cover_id) == ["deleted"]
    deleted_event = AuditEvent.objects.get(
        entity="officers.assignment", entity_id=str(covered_id), action="deleted"
    )
    assert deleted_event.before["starts_on"] == "2024-01-01"
    assert _touched(covered_id).filter(is_deleted=True).exists()
    assert _touched(cover_id).filter(is_deleted=True).exists()


def test_every_change_of_an_assignment_is_audited_with_its_actor(actor, community):
    officer = OfficerFactory()
    assignment = assignment_create(
        actor=actor, officer=officer, area=community, role=Role.COMMUNITY_OFFICER, starts_on=JAN_1
    )
    assignment_update(actor=actor, assignment=assignment, starts_on=dt.date(2024, 2, 1))
    assignment_end(actor=actor, assignment=assignment, ends_on=DEC_31)
    assignment_id = assignment.pk
    assignment_delete(actor=actor, assignment=assignment)

    assert _audit(assignment_id) == ["created", "updated", "ended", "deleted"]
    assert set(
        AuditEvent.objects.filter(
            entity="officers.assignment", entity_id=str(assignment_id)
        ).values_list("actor", flat=True)
    ) == {actor.pk}
    assert _touched(assignment_id).count() == 4


def test_a_service_area_in_the_demo_data_can_get_its_district_officer(actor):
    konin = Area.objects.get(code="3062011")
    beat = ServiceAreaFactory(parent=konin, centre=(18.2513, 52.2230))

    assignment = assignment_create(
        actor=actor,
        officer=OfficerFactory(),
        area=beat,
        role=Role.DISTRICT_OFFICER,
        starts_on=JAN_1,
    )

    assert assignment.is_primary and beat.country == Country.POLAND
