import datetime as dt
import math

import pytest
from django.utils import timezone

from blisko.core.exceptions import ApplicationError
from blisko.core.models import AuditEvent
from blisko.officers.models import CoverReason, Role
from blisko.officers.services.assignments import (
    assignment_create,
    assignment_delete,
    assignment_end,
    assignment_update,
)
from blisko.officers.tests.factories import (
    AreaFactory,
    AssignmentFactory,
    OfficerFactory,
    ServiceAreaFactory,
    UnitFactory,
    square,
)
from blisko.reports.models import Report, ReportEvent, Status
from blisko.reports.services.routing import Routing, report_route, reports_reroute
from blisko.reports.tests.factories import ReportFactory, category
from blisko.territories.models import Area, AreaBoundary
from blisko.territories.services.boundaries import area_set_boundary
from conftest import BLACK_SEA, KONIN_CENTRE, VINNYTSIA_CENTRE

pytestmark = pytest.mark.django_db

VINNYTSKA_HROMADA = "UA05020030000031457"
VINNYTSIA_OBLAST = "UA05000000000010236"
KONIN_GMINA = "3062011"
A_YEAR_AGO = timezone.localdate() - dt.timedelta(days=365)


@pytest.fixture
def actor(django_user_model):
    return django_user_model.objects.create_user(username="supervisor", password="secret")


@pytest.fixture
def hromada():
    return Area.objects.get(code=VINNYTSKA_HROMADA)


@pytest.fixture
def konin():
    return Area.objects.get(code=KONIN_GMINA)


def _route(point, code="vandalism", on=None):
    return report_route(lon=point[0], lat=point[1], category=category(code), on=on)


# --- report_route -------------------------------------------------------------------------


def test_a_local_category_goes_to_the_community_officer_of_the_hromada(hromada):
    officer = AssignmentFactory(area=hromada, role=Role.COMMUNITY_OFFICER).officer

    routing = _route(VINNYTSIA_CENTRE)

    assert isinstance(routing, Routing)
    assert routing.area == hromada
    assert routing.officer == officer
    assert routing.unit == officer.unit


def test_a_road_category_goes_to_the_traffic_officer_not_the_community_officer(hromada):
    AssignmentFactory(area=hromada, role=Role.COMMUNITY_OFFICER)
    traffic = AssignmentFactory(area=hromada, role=Role.TRAFFIC_OFFICER).officer

    routing = _route(VINNYTSIA_CENTRE, "speeding")

    assert routing.officer == traffic
    assert routing.unit == traffic.unit


def test_in_konin_the_district_officer_takes_vandalism_and_the_traffic_officer_speeding(konin):
    district = AssignmentFactory(area=konin, role=Role.DISTRICT_OFFICER).officer
    traffic = AssignmentFactory(area=konin, role=Role.TRAFFIC_OFFICER).officer

    assert _route(KONIN_CENTRE, "vandalism").officer == district
    assert _route(KONIN_CENTRE, "begging").officer == district
    assert _route(KONIN_CENTRE, "speeding").officer == traffic
    assert _route(KONIN_CENTRE, "improper-parking").officer == traffic
    assert _route(KONIN_CENTRE, "speeding").area == konin


def test_while_the_primary_officer_is_away_the_report_goes_to_the_cover(hromada):
    primary = AssignmentFactory(area=hromada, role=Role.COMMUNITY_OFFICER)
    today = timezone.localdate()
    cover = AssignmentFactory(
        area=hromada,
        role=Role.COMMUNITY_OFFICER,
        covers=primary,
        cover_reason=CoverReason.LEAVE,
        starts_on=today - dt.timedelta(days=2),
        ends_on=today + dt.timedelta(days=5),
    )

    assert _route(VINNYTSIA_CENTRE).officer == cover.officer
    assert _route(VINNYTSIA_CENTRE, on=today + dt.timedelta(days=6)).officer == primary.officer


def test_with_no_officer_in_the_role_the_report_goes_to_the_supervisor_and_the_unit(hromada):
    oblast = Area.objects.get(code=VINNYTSIA_OBLAST)
    supervisor = AssignmentFactory(area=oblast, role=Role.SUPERVISOR).officer
    # A community officer only: a road report has no traffic officer to go to.
    hromada_officer = AssignmentFactory(area=hromada, role=Role.COMMUNITY_OFFICER).officer

    routing = _route(VINNYTSIA_CENTRE, "speeding")

    assert routing.officer == supervisor
    assert routing.area == hromada
    # The unit is the one serving the area: its community officer's.
    assert routing.unit == hromada_officer.unit


def test_with_nobody_assigned_the_report_goes_to_the_unit_serving_the_area(hromada):
    unit = UnitFactory(area=hromada)

    routing = _route(VINNYTSIA_CENTRE)

    assert routing.officer is None
    assert routing.unit == unit
    assert routing.area == hromada


def test_with_no_officer_and_no_unit_of_its_own_the_supervisors_unit_is_kept(hromada):
    oblast = Area.objects.get(code=VINNYTSIA_OBLAST)
    supervisor = AssignmentFactory(area=oblast, role=Role.SUPERVISOR).officer

    routing = _route(VINNYTSIA_CENTRE)

    assert routing.officer == supervisor
    assert routing.unit == supervisor.unit


def test_a_deactivated_officer_gets_no_reports(hromada):
    assignment = AssignmentFactory(area=hromada, role=Role.COMMUNITY_OFFICER)
    assignment.officer.is_active = False
    assignment.officer.save(update_fields=["is_active"])

    routing = _route(VINNYTSIA_CENTRE)

    assert routing.officer is None
    # Still assigned, the inactive officer's unit is the one serving the area.
    assert routing.unit == assignment.officer.unit


def test_a_service_area_without_its_own_officer_is_served_by_its_communitys(hromada):
    beat = ServiceAreaFactory(parent=hromada, centre=VINNYTSIA_CENTRE)
    officer = AssignmentFactory(area=hromada, role=Role.COMMUNITY_OFFICER).officer

    routing = _route(VINNYTSIA_CENTRE)

    assert routing.area == beat
    assert routing.officer == officer
    assert routing.area_boundary == AreaBoundary.objects.get(area=beat)


def test_a_service_area_with_its_own_officer_keeps_its_reports(hromada):
    beat = ServiceAreaFactory(parent=hromada, centre=VINNYTSIA_CENTRE)
    AssignmentFactory(area=hromada, role=Role.COMMUNITY_OFFICER)
    own = AssignmentFactory(area=beat, role=Role.COMMUNITY_OFFICER).officer

    assert _route(VINNYTSIA_CENTRE).officer == own


def test_the_officer_of_a_past_day_is_chosen_for_that_day(hromada):
    today = timezone.localdate()
    old = AssignmentFactory(
        area=hromada,
        role=Role.COMMUNITY_OFFICER,
        starts_on=today - dt.timedelta(days=100),
        ends_on=today - dt.timedelta(days=11),
    ).officer
    new = AssignmentFactory(
        area=hromada, role=Role.COMMUNITY_OFFICER, starts_on=today - dt.timedelta(days=10)
    ).officer

    assert _route(VINNYTSIA_CENTRE).officer == new
    assert _route(VINNYTSIA_CENTRE, on=today - dt.timedelta(days=50)).officer == old


def test_the_boundary_version_in_force_is_kept_with_the_area(hromada):
    routing = _route(VINNYTSIA_CENTRE)

    assert routing.area_boundary is not None
    assert routing.area_boundary.area == hromada
    assert routing.area_boundary.valid_to is None


def test_after_a_redrawn_border_each_day_keeps_its_own_boundary_version():
    centre = (24.5, 48.5)
    area = AreaFactory(centre=centre, size=0.01)
    redrawn_on = timezone.localdate() - dt.timedelta(days=30)
    new_version = area_set_boundary(area=area, boundary=square(centre, 0.03), valid_from=redrawn_on)
    old_version = AreaBoundary.objects.get(area=area, valid_to=redrawn_on)
    # Inside the new border only.
    edge = (centre[0] + 0.012, centre[1])

    assert _route(centre).area_boundary == new_version
    assert _route(centre, on=redrawn_on - dt.timedelta(days=1)).area_boundary == old_version
    assert _route(edge).area == area
    with pytest.raises(ApplicationError):
        _route(edge, on=redrawn_on - dt.timedelta(days=1))


def test_a_point_outside_every_territory_is_refused_clearly():
    with pytest.raises(ApplicationError) as error:
        _route(BLACK_SEA)

    assert error.value.extra == {"field": "location"}
    assert error.value.status == 400
    assert "outside every territory" in error.value.message


@pytest.mark.parametrize(
    "lon, lat", [(200.0, 50.0), (28.0, -95.0), (math.nan, 49.0), (28.0, math.inf)]
)
def test_a_point_that_is_not_a_longitude_and_latitude_is_refused(lon, lat):
    with pytest.raises(ApplicationError) as error:
        report_route(lon=lon, lat=lat, category=category())

    assert error.value.extra == {"field": "location"}


# --- reports_reroute and the officers' services -------------------------------------------


def _report(area, officer=None, *, status=Status.SUBMITTED, code="vandalism", unit=None):
    return ReportFactory(
        area=area,
        category=category(code),
        status=status,
        assigned_officer=officer,
        assigned_unit=unit or (officer.unit if officer else None),
    )


def _rerouted(report):
    return list(ReportEvent.objects.filter(report=report, action="rerouted"))


def test_a_new_primary_officer_takes_over_the_open_reports_with_an_event_each(actor, hromada):
    unit = UnitFactory(area=hromada)
    first = _report(hromada, unit=unit)
    second = _report(hromada, status=Status.CONFIRMED, unit=unit)
    officer = OfficerFactory()

    assignment_create(
        actor=actor,
        officer=officer,
        area=hromada,
        role=Role.COMMUNITY_OFFICER,
        starts_on=A_YEAR_AGO,
    )

    for report in (first, second):
        report.refresh_from_db()
        assert report.assigned_officer == officer
        assert report.assigned_unit == officer.unit
        (event,) = _rerouted(report)
        assert event.actor == actor
        assert event.is_public is False
        assert event.from_status == event.to_status == report.status
        assert officer.full_name in event.note
        audit = AuditEvent.objects.get(
            entity="reports.report", entity_id=str(report.pk), action="rerouted"
        )
        assert audit.before == {"assigned_officer": None, "assigned_unit": unit.pk}
        assert audit.after == {"assigned_officer": officer.pk, "assigned_unit": officer.unit.pk}


def test_closed_reports_stay_with_the_officer_who_closed_them(actor, hromada):
    old = OfficerFactory()
    closed = [
        _report(hromada, old, status=status)
        for status in (Status.RESOLVED, Status.NOT_CONFIRMED, Status.REFERRED, Status.DUPLICATE)
    ]

    assignment_create(
        actor=actor,
        officer=OfficerFactory(),
        area=hromada,
        role=Role.COMMUNITY_OFFICER,
        starts_on=A_YEAR_AGO,
    )

    for report in closed:
        report.refresh_from_db()
        assert report.assigned_officer == old
        assert _rerouted(report) == []


def test_ending_an_assignment_sends_the_reports_to_the_supervisor(actor, hromada):
    oblast = Area.objects.get(code=VINNYTSIA_OBLAST)
    supervisor = AssignmentFactory(area=oblast, role=Role.SUPERVISOR).officer
    assignment = assignment_create(
        actor=actor,
        officer=OfficerFactory(),
        area=hromada,
        role=Role.COMMUNITY_OFFICER,
        starts_on=A_YEAR_AGO,
    )
    report = _report(hromada, assignment.officer)

    assignment_end(
        actor=actor, assignment=assignment, ends_on=timezone.localdate() - dt.timedelta(days=1)
    )

    report.refresh_from_db()
    assert report.assigned_officer == supervisor
    assert len(_rerouted(report)) == 1


def test_a_cover_takes_the_reports_and_gives_them_back_when_deleted(actor, hromada):
    primary = assignment_create(
        actor=actor,
        officer=OfficerFactory(),
        area=hromada,
        role=Role.COMMUNITY_OFFICER,
        starts_on=A_YEAR_AGO,
    )
    report = _report(hromada, primary.officer)
    today = timezone.localdate()

    cover = assignment_create(
        actor=actor,
        officer=OfficerFactory(),
        area=hromada,
        role=Role.COMMUNITY_OFFICER,
        starts_on=today,
        ends_on=today + dt.timedelta(days=14),
        covers=primary,
        cover_reason=CoverReason.SICK,
    )
    report.refresh_from_db()
    assert report.assigned_officer == cover.officer

    assignment_delete(actor=actor, assignment=cover)
    report.refresh_from_db()
    assert report.assigned_officer == primary.officer
    assert len(_rerouted(report)) == 2


def test_road_reports_stay_with_the_traffic_officer_when_the_community_officer_changes(
    actor, hromada
):
    traffic = AssignmentFactory(area=hromada, role=Role.TRAFFIC_OFFICER).officer
    road = _report(hromada, traffic, code="speeding")

    assignment_create(
        actor=actor,
        officer=OfficerFactory(),
        area=hromada,
        role=Role.COMMUNITY_OFFICER,
        starts_on=A_YEAR_AGO,
    )

    road.refresh_from_db()
    assert road.assigned_officer == traffic
    assert _rerouted(road) == []


def test_moving_an_assignment_to_another_area_reroutes_both_areas(actor, hromada):
    other = AreaFactory()
    officer = OfficerFactory()
    assignment = assignment_create(
        actor=actor,
        officer=officer,
        area=hromada,
        role=Role.COMMUNITY_OFFICER,
        starts_on=A_YEAR_AGO,
    )
    left_behind = _report(hromada, officer)
    waiting = _report(other)

    assignment_update(actor=actor, assignment=assignment, area=other)

    left_behind.refresh_from_db()
    waiting.refresh_from_db()
    assert left_behind.assigned_officer is None
    assert waiting.assigned_officer == officer


def test_reports_in_a_service_area_follow_their_communitys_new_officer(actor, hromada):
    beat = ServiceAreaFactory(parent=hromada, centre=VINNYTSIA_CENTRE)
    report = _report(beat)
    officer = OfficerFactory()

    assignment_create(
        actor=actor,
        officer=officer,
        area=hromada,
        role=Role.COMMUNITY_OFFICER,
        starts_on=A_YEAR_AGO,
    )

    report.refresh_from_db()
    assert report.assigned_officer == officer


def test_a_new_supervisor_of_the_oblast_takes_the_reports_nobody_else_serves(actor, hromada):
    oblast = Area.objects.get(code=VINNYTSIA_OBLAST)
    report = _report(hromada)
    served = AreaFactory()
    served_report = _report(served)
    supervisor = OfficerFactory()

    assignment_create(
        actor=actor, officer=supervisor, area=oblast, role=Role.SUPERVISOR, starts_on=A_YEAR_AGO
    )

    report.refresh_from_db()
    served_report.refresh_from_db()
    assert report.assigned_officer == supervisor
    assert served_report.assigned_officer is None


def test_reroute_counts_what_moved_and_writes_nothing_for_reports_already_right(actor, hromada):
    officer = AssignmentFactory(area=hromada, role=Role.COMMUNITY_OFFICER).officer
    right = _report(hromada, officer)
    wrong = _report(hromada)

    assert reports_reroute(area=hromada, actor=actor) == 1
    assert reports_reroute(area=hromada, actor=actor) == 0

    assert _rerouted(right) == []
    assert len(_rerouted(wrong)) == 1
    assert Report.objects.get(pk=wrong.pk).assigned_officer == officer


def test_reroute_of_an_area_without_open_reports_moves_nothing(actor):
    assert reports_reroute(area=AreaFactory(), actor=actor) == 0
