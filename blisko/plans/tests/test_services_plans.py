"""Writing a plan and its actions: what is refused (each with a clear message on its field)
and that a refusal writes nothing."""

import datetime as dt
import io
import json

import h3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from blisko.core.exceptions import ApplicationError
from blisko.core.models import AuditEvent
from blisko.diagnosis.models import StatisticCategory
from blisko.officers.tests.factories import AreaFactory
from blisko.plans.models import ActionStatus, PlaceKind, Plan, PlanAction, PlanStatus
from blisko.plans.services import workflow
from blisko.plans.services.plans import (
    action_add,
    action_cancel,
    action_done,
    action_remove,
    plan_create,
)
from blisko.plans.tests.plans_data import draft, people, plan_input

pytestmark = pytest.mark.django_db

CENTRE = h3.latlng_to_cell(48.2, 24.0, 9)


def square(lon: float, lat: float, half: float) -> dict:
    ring = [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def refused(p, **overrides) -> ApplicationError:
    with pytest.raises(ApplicationError) as error:
        plan_create(actor=p.officer_user, area=p.world.area, data=plan_input(**overrides))
    assert not Plan.objects.exists()
    assert not AuditEvent.objects.filter(entity="plans.plan").exists()
    return error.value


def test_a_plan_is_written_with_its_evidence_and_audited():
    p = people()
    plan = plan_create(
        actor=p.officer_user,
        area=p.world.area,
        data=plan_input(place_kind=PlaceKind.CELLS, place_cells=[CENTRE, CENTRE]),
    )

    assert plan.status == PlanStatus.DRAFT
    assert plan.officer == p.officer
    assert plan.place_cells == [CENTRE]
    assert plan.place.contains(plan.place.centroid)
    assert set(plan.evidence) >= {"period", "threats", "hot_cells", "biggest"}
    event = AuditEvent.objects.get(entity="plans.plan", action="created")
    assert event.actor == p.officer_user
    assert event.after["title"] == "Thefts near the market"


def test_a_plan_for_an_area_that_is_not_the_officer_s_is_refused():
    p = people()
    with pytest.raises(ApplicationError, match="only for the areas you serve") as error:
        plan_create(actor=p.officer_user, area=p.world.other, data=plan_input())
    assert error.value.status == 403
    with pytest.raises(ApplicationError, match="only for the areas you serve"):
        plan_create(actor=p.supervisor_user, area=p.world.area, data=plan_input())
    assert not Plan.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"ends_on": dt.date.today().replace(day=1) - dt.timedelta(days=1)},
            "ends_on",
            "end before",
        ),
        (
            {"starts_on": dt.date.today(), "ends_on": dt.date.today() + dt.timedelta(days=370)},
            "ends_on",
            "at most 12 months",
        ),
        (
            {"starts_on": dt.date(2025, 1, 1), "ends_on": dt.date(2025, 6, 30)},
            "ends_on",
            "already over",
        ),
        ({"goal_percent": "a fifth fewer"}, "goal_percent", "number of per cent"),
        ({"goal_percent": "-101"}, "goal_percent", "from −100 to +1000"),
        ({"goal_percent": "1000.1"}, "goal_percent", "from −100 to +1000"),
        ({"goal_percent": "NaN"}, "goal_percent", "number of per cent"),
        ({"title": "   "}, "title", "is required"),
        ({"title": "x" * 201}, "title", "longer than 200"),
        ({"threat": None}, "threat", "Choose the threat"),
        ({"place_kind": "street"}, "place", "Choose the place"),
        ({"place_kind": PlaceKind.CELLS, "place_cells": []}, "place", "at least one cell"),
        ({"place_kind": PlaceKind.CELLS, "place_cells": ["not-a-cell"]}, "place", "not an H3 cell"),
        (
            {"place_kind": PlaceKind.CELLS, "place_cells": [h3.latlng_to_cell(48.2, 24.0, 8)]},
            "place",
            "resolution 9",
        ),
        (
            {"place_kind": PlaceKind.CELLS, "place_cells": [h3.latlng_to_cell(48.2, 24.1, 9)]},
            "place",
            "outside the area",
        ),
        (
            {
                "place_kind": PlaceKind.POLYGON,
                "place_polygon": json.dumps(square(24.1, 48.2, 0.01)),
            },
            "place",
            "inside the area",
        ),
        (
            {
                "place_kind": PlaceKind.POLYGON,
                # A bow-tie: its edges cross.
                "place_polygon": json.dumps(
                    {
                        "type": "Polygon",
                        "coordinates": [
                            [
                                [23.99, 48.19],
                                [24.01, 48.21],
                                [24.01, 48.19],
                                [23.99, 48.21],
                                [23.99, 48.19],
                            ]
                        ],
                    }
                ),
            },
            "place",
            "not a valid polygon",
        ),
        (
            {"place_kind": PlaceKind.POLYGON, "place_polygon": "{not json"},
            "place",
            "GeoJSON polygon",
        ),
        (
            {
                "place_kind": PlaceKind.POLYGON,
                "place_polygon": json.dumps({"type": "Point", "coordinates": [24, 48.2]}),
            },
            "place",
            "GeoJSON polygon",
        ),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_written(overrides, field, message):
    p = people()
    error = refused(p, **overrides)

    assert message in error.message
    assert error.extra["field"] == field


def test_another_threat_than_the_biggest_needs_a_reason():
    p = people()
    evidence = {"biggest": "drugs"}
    with pytest.raises(ApplicationError, match="say why") as error:
        plan_create(
            actor=p.officer_user,
            area=p.world.area,
            data=plan_input(threat_reason=""),
            evidence=evidence,
        )
    assert error.value.extra["field"] == "threat_reason"
    plan = plan_create(
        actor=p.officer_user,
        area=p.world.area,
        data=plan_input(threat=StatisticCategory.objects.get(code="drugs"), threat_reason=""),
        evidence=evidence,
    )
    assert plan.suggested_threat.code == "drugs"


def test_a_polygon_inside_the_area_is_kept():
    p = people()
    plan = plan_create(
        actor=p.officer_user,
        area=p.world.area,
        data=plan_input(place_kind=PlaceKind.POLYGON, place_polygon=square(24.0, 48.2, 0.005)),
    )
    assert plan.place.geom_type == "MultiPolygon"
    assert plan.place.area == pytest.approx(0.0001, rel=1e-6)


def test_an_area_without_a_boundary_can_only_have_a_whole_area_plan():
    p = people()
    from blisko.officers.models import Role
    from blisko.officers.tests.factories import AssignmentFactory

    bare = AreaFactory(boundary=None)
    AssignmentFactory(officer=p.officer, area=bare, role=Role.COMMUNITY_OFFICER)
    with pytest.raises(ApplicationError, match="no boundary"):
        plan_create(
            actor=p.officer_user,
            area=bare,
            data=plan_input(place_kind=PlaceKind.CELLS, place_cells=[CENTRE]),
            evidence={},
        )


# --- actions -----------------------------------------------------------------------------


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="JPEG")
    return SimpleUploadedFile("done.jpg", buffer.getvalue(), content_type="image/jpeg")


def active(p) -> Plan:
    plan = draft(p)
    workflow.plan_submit(plan=plan, actor=p.officer_user)
    workflow.plan_approve(plan=plan, actor=p.supervisor_user)
    return workflow.plan_activate(plan=plan, actor=p.officer_user)


def test_actions_outside_the_plan_s_period_or_of_no_kind_are_refused():
    p = people()
    plan = draft(p)
    for kwargs, message in [
        ({"starts_on": plan.starts_on - dt.timedelta(days=1)}, "within the plan's period"),
        ({"ends_on": plan.ends_on + dt.timedelta(days=1)}, "within the plan's period"),
        (
            {"ends_on": plan.starts_on, "starts_on": plan.starts_on + dt.timedelta(days=2)},
            "end before",
        ),
        ({"kind": "party"}, "kind of the action"),
        ({"description": ""}, "Describe"),
        ({"description": "x" * 501}, "longer than 500"),
    ]:
        values = {
            "kind": "patrol",
            "description": "Patrols",
            "starts_on": plan.starts_on,
            "ends_on": plan.starts_on,
            **kwargs,
        }
        with pytest.raises(ApplicationError, match=message):
            action_add(actor=p.officer_user, plan=plan, **values)
    assert plan.actions.count() == 1


def test_an_action_is_done_with_its_photo_stripped_and_audited(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    p = people()
    plan = active(p)
    action = plan.actions.get()
    day = min(dt.date.today(), plan.ends_on)

    action_done(actor=p.officer_user, action=action, done_on=day, note="Done twice", photo=jpeg())

    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.done_on == day
    assert action.photo.name.startswith("plans/actions/")
    event = AuditEvent.objects.get(entity="plans.action", action="done")
    assert event.before["status"] == "planned" and event.after["status"] == "done"


def test_logging_an_action_is_refused_in_the_future_with_a_bad_photo_or_before_the_plan_is_active():
    p = people()
    plan = draft(p)
    action = plan.actions.get()
    with pytest.raises(ApplicationError, match="once the plan is active"):
        action_done(actor=p.officer_user, action=action, done_on=plan.starts_on)
    workflow.plan_submit(plan=plan, actor=p.officer_user)
    workflow.plan_approve(plan=plan, actor=p.supervisor_user)
    workflow.plan_activate(plan=plan, actor=p.officer_user)
    with pytest.raises(ApplicationError, match="cannot be in the future"):
        action_done(
            actor=p.officer_user, action=action, done_on=dt.date.today() + dt.timedelta(days=1)
        )
    not_an_image = SimpleUploadedFile("x.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    with pytest.raises(ApplicationError, match="JPEG or PNG"):
        action_done(actor=p.officer_user, action=action, done_on=plan.starts_on, photo=not_an_image)
    with pytest.raises(ApplicationError, match="Only the plan's officer"):
        action_done(actor=p.supervisor_user, action=action, done_on=plan.starts_on)
    with pytest.raises(ApplicationError, match="Say why"):
        action_cancel(actor=p.officer_user, action=action, note=" ")
    action.refresh_from_db()
    assert action.status == ActionStatus.PLANNED
    assert not AuditEvent.objects.filter(entity="plans.action", action__in=["done", "cancelled"])


def test_an_approved_plan_s_actions_are_cancelled_never_removed():
    p = people()
    plan = active(p)
    action = plan.actions.get()
    with pytest.raises(ApplicationError, match="cancelled, not removed"):
        action_remove(actor=p.officer_user, action=action)
    action_cancel(actor=p.officer_user, action=action, note="The market closed for works.")
    action.refresh_from_db()
    assert action.status == ActionStatus.CANCELLED
    assert PlanAction.objects.count() == 1
    with pytest.raises(ApplicationError, match="already"):
        action_cancel(actor=p.officer_user, action=action, note="again")
