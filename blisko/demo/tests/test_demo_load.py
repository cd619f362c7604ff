"""`manage.py demo_load` on the test database, which already holds the demo's territories."""

import datetime as dt
import io
import time

import pytest
import shapely
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from blisko.core.models import AuditEvent, DirectoryChange
from blisko.core.roles import OFFICER, SUPERVISOR
from blisko.officers.models import Assignment, Officer, Role, Unit
from blisko.officers.selectors.access import areas_for_user
from blisko.officers.selectors.coverage import coverage_by_region
from blisko.territories.models import Area, AreaBoundary, Level, Place

pytestmark = pytest.mark.django_db

# The demo takes a few seconds to load, so one test loads it and checks each promise in turn
# (the `_check_…` helpers below), then loads it again.

MODELS = [Area, AreaBoundary, Place, Unit, Officer, Assignment, AuditEvent, DirectoryChange]
MODELS += [User, Group]


def _load() -> str:
    out = io.StringIO()
    call_command("demo_load", stdout=out)
    return out.getvalue()


def _rows() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def _check_the_demo_reuses_the_territories_and_prints_the_accounts(demo: str) -> None:
    assert "reusing them" in demo
    assert "Demo accounts:" in demo
    for username in ["admin", "supervisor_vinnytsia", "officer_konin"]:
        assert username in demo
    assert User.objects.get(username="admin").is_superuser
    assert "Open311 API key: demo" in demo


def _check_konin_is_split_into_four_service_areas_that_tile_the_gmina() -> None:
    gmina = Area.objects.get(code="3062011")
    beats = list(Area.objects.filter(parent=gmina, level=Level.SERVICE_AREA).order_by("code"))

    assert [b.code for b in beats] == [f"3062011-0{n}" for n in range(1, 5)]
    assert beats[0].name_pl == "Konin — rejon 1 (Śródmieście)"
    assert all(b.name_uk and b.name_en for b in beats)
    pieces = [shapely.from_wkb(bytes(b.boundary.wkb)) for b in beats]
    whole = shapely.from_wkb(bytes(gmina.boundary.wkb))
    assert all(p.is_valid and not p.is_empty for p in pieces)
    assert shapely.union_all(pieces).symmetric_difference(whole).area < whole.area * 1e-6
    for beat in beats:
        assert AreaBoundary.objects.filter(area=beat, valid_to__isnull=True).count() == 1
        assert beat.contact_phone.startswith("+48")
        assert beat.contact_email


def _check_each_beat_has_a_dzielnicowy_and_two_traffic_officers_share_the_four() -> None:
    beats = Area.objects.filter(parent__code="3062011", level=Level.SERVICE_AREA)
    primaries = Assignment.objects.filter(area__in=beats, is_primary=True)
    traffic = Assignment.objects.filter(area__in=beats, role=Role.TRAFFIC_OFFICER)

    assert primaries.count() == 4
    assert set(primaries.values_list("role", flat=True)) == {Role.DISTRICT_OFFICER}
    assert traffic.values("officer").distinct().count() == 2
    assert traffic.values("area").distinct().count() == 4


def _check_most_communities_have_an_officer_and_some_are_left_for_the_coverage_page() -> None:
    rows = {row.region.code: row for row in coverage_by_region()}

    for code in ["UA05000000000010236", "UA12000000000090473", "30"]:
        row = rows[code]
        assert row.uncovered, code
        assert row.covered >= 0.8 * row.communities, code
    konin = Area.objects.get(code="3062011")
    assert konin not in rows["30"].uncovered


def _check_units_officers_and_supervisors_are_generated_with_contacts() -> None:
    assert Unit.objects.filter(area__level=Level.REGION).count() == 3
    assert Unit.objects.filter(area__level=Level.DISTRICT).count() == 15
    assert Unit.objects.filter(name__contains="Koninie").exists()
    assert not Unit.objects.filter(address="").exists()
    assert not Unit.objects.filter(phone="").exists()
    supervisors = Assignment.objects.filter(role=Role.SUPERVISOR, area__level=Level.REGION)
    assert supervisors.count() == 3
    ranks = set(Officer.objects.values_list("rank", flat=True))
    assert {"капітан поліції", "aspirant"} & ranks
    hromadas = Area.objects.filter(level=Level.COMMUNITY, country="UA")
    assert not hromadas.filter(contact_email="").exists()


def _check_the_demo_accounts_have_their_roles_and_officers() -> None:
    supervisor = User.objects.get(username="supervisor_vinnytsia")
    officer = User.objects.get(username="officer_konin")

    assert supervisor.groups.filter(name=SUPERVISOR).exists()
    assert officer.groups.filter(name=OFFICER).exists()
    assert supervisor.check_password("blisko-supervisor")
    assert Assignment.objects.filter(
        officer__user=supervisor, role=Role.SUPERVISOR, area__code="UA05000000000010236"
    ).exists()
    assert Assignment.objects.filter(
        officer__user=officer, role=Role.DISTRICT_OFFICER, area__parent__code="3062011"
    ).exists()
    scope = areas_for_user(user=supervisor)
    assert scope.filter(code="UA05020030000031457").exists()
    assert not scope.filter(code__startswith="UA12").exists()


def _check_the_diagnosis_has_statistics_incidents_and_a_biggest_threat() -> None:
    from blisko.diagnosis.models import Incident, Statistic
    from blisko.diagnosis.periods import period_parse
    from blisko.diagnosis.selectors.diagnosis import diagnosis_for_area

    assert Statistic.objects.count() > 10_000 and Incident.objects.count() > 10_000
    for code in ("UA05020030000031457", "3062011"):  # Vinnytsia hromada, gmina Konin
        area = Area.objects.get(code=code)
        assert area.population and area.parent.population
        d = diagnosis_for_area(area=area, period=period_parse(None, None))
        assert d.police_kind == "statistics" and d.biggest is not None
        assert len(d.months) == 12 and all(sum(row.monthly) for row in d.rows[:3])


def _check_each_demo_officer_has_an_active_and_an_evaluated_plan() -> None:
    from blisko.plans.models import Plan, PlanStatus

    beats = Area.objects.filter(parent__code="3062011", level="service_area").count()
    plans = Plan.objects.select_related("area")
    areas = {p.area.code for p in plans}
    assert "UA05020030000031457" in areas
    assert len(areas) == 1 + beats
    for code in areas:
        mine = [p for p in plans if p.area.code == code]
        assert sorted(p.status for p in mine) == [PlanStatus.ACTIVE, PlanStatus.EVALUATED]
        evaluated = next(p for p in mine if p.status == PlanStatus.EVALUATED)
        assert evaluated.evaluation["complete"] and evaluated.evaluation["verdict"]["kind"]
        active = next(p for p in mine if p.status == PlanStatus.ACTIVE)
        assert active.actions.filter(status="done").exists()
    assert AuditEvent.objects.filter(entity="plans.plan", action="evaluated").count() == len(areas)


def _check_every_change_went_through_the_services() -> None:
    assignments = Assignment.objects.count()

    assert (
        AuditEvent.objects.filter(entity="officers.assignment", action="created").count()
        == assignments
    )
    assert DirectoryChange.objects.filter(entity="officer").count() >= Officer.objects.count()


def _check_most_vinnytsia_hromadas_have_a_memorandum_with_obligations_kept_or_not() -> None:
    from blisko.partnerships.models import (
        CommunityHead,
        Fulfilment,
        Memorandum,
        MemorandumStatus,
        RolloutTarget,
    )
    from blisko.partnerships.selectors.coverage import coverage_communities

    hromadas = Area.objects.filter(
        level=Level.COMMUNITY, parent__parent__code="UA05000000000010236"
    ).count()
    memoranda = Memorandum.objects.filter(parties__area__parent__parent__code="UA05000000000010236")

    assert hromadas * 0.7 < memoranda.count() < hromadas
    statuses = set(memoranda.values_list("status", flat=True))
    assert {
        MemorandumStatus.IN_FORCE,
        MemorandumStatus.EXPIRED,
        MemorandumStatus.TERMINATED,
    } <= statuses
    assert all(m.document and m.document_sha256 for m in memoranda)
    assert set(Fulfilment.objects.values_list("state", flat=True)) == {"fulfilled", "partly", "not"}
    konin = Memorandum.objects.get(title__contains="Razem dla bezpieczeństwa")
    assert konin.status == MemorandumStatus.IN_FORCE and konin.partners.count() == 4
    assert konin.obligations.filter(party_partner__isnull=False).exists()
    assert RolloutTarget.objects.filter(country="UA").count() == 2
    assert {h.user.username for h in CommunityHead.objects.select_related("user")} == {
        "head_vinnytsia",
        "head_konin",
    }
    assert not User.objects.get(username="head_vinnytsia").is_staff
    # The coverage page has all four classes to show.
    vinnytsia = Area.objects.get(code="UA05000000000010236")
    classes = {c.kind for c in coverage_communities(on=dt.date.today(), region=vinnytsia)}
    assert len(classes) == 4


def _check_a_year_of_meetings_with_questions_and_presence_around_the_target() -> None:
    from decimal import Decimal

    from blisko.engagement.models import Meeting, PresenceDay, Question
    from blisko.engagement.selectors.presence import presence_share

    statuses = set(Meeting.objects.values_list("status", flat=True))
    assert statuses == {"planned", "held", "cancelled"}
    assert Meeting.objects.filter(area__code="UA05020030000031457").count() >= 10
    assert Meeting.objects.filter(area__parent__code="3062011").count() >= 30
    held = Meeting.objects.filter(status="held")
    assert all(m.minutes and m.attendance is not None for m in held)
    assert set(Question.objects.values_list("status", flat=True)) >= {"published", "merged"}
    assert not Question.objects.filter(status="published", answer="").exists()
    officers = {d.officer for d in PresenceDay.objects.select_related("officer__unit")[:2000]}
    last_month = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    shares = [presence_share(officer=o, month=last_month).share for o in officers]
    shares = [s for s in shares if s is not None]
    assert any(s < Decimal(80) for s in shares) and any(s >= Decimal(80) for s in shares)


def test_the_demo_loads_on_the_imported_territories_and_a_second_run_changes_nothing():
    output = _load()

    _check_the_demo_reuses_the_territories_and_prints_the_accounts(output)
    _check_konin_is_split_into_four_service_areas_that_tile_the_gmina()
    _check_each_beat_has_a_dzielnicowy_and_two_traffic_officers_share_the_four()
    _check_most_communities_have_an_officer_and_some_are_left_for_the_coverage_page()
    _check_units_officers_and_supervisors_are_generated_with_contacts()
    _check_the_demo_accounts_have_their_roles_and_officers()
    _check_every_change_went_through_the_services()
    _check_the_diagnosis_has_statistics_incidents_and_a_biggest_threat()
    _check_each_demo_officer_has_an_active_and_an_evaluated_plan()
    _check_most_vinnytsia_hromadas_have_a_memorandum_with_obligations_kept_or_not()
    _check_a_year_of_meetings_with_questions_and_presence_around_the_target()

    before = _rows()
    started = time.monotonic()
    again = _load()

    assert time.monotonic() - started < 2.0
    assert "already loaded" in again
    assert "Demo accounts:" in again
    assert "Open311 API key: demo" in again
    assert _rows() == before
