"""Who sees and writes which memoranda, the list's filters, a memorandum's history, and how
each obligation stands (once and recurring; pending, overdue, fulfilled, partly, not)."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from blisko.core.clock import site_today
from blisko.core.exceptions import NotFoundError
from blisko.partnerships.models import Memorandum, Obligation
from blisko.partnerships.selectors.access import (
    communities_for_writer,
    memoranda_for_community,
    memoranda_for_user,
    memorandum_get,
    user_may_create,
    user_may_record_fulfilment,
    user_may_see_document,
    user_may_write,
)
from blisko.partnerships.selectors.memoranda import (
    memoranda_summaries,
    memorandum_history,
    memorandum_list,
    memorandum_summary,
    obligation_standing,
)
from blisko.partnerships.services import workflow
from blisko.partnerships.services.memoranda import PartyInput, memorandum_create
from blisko.partnerships.services.obligations import (
    fulfilment_record,
    obligation_remove,
)
from blisko.partnerships.tests.partnerships_data import (
    draft,
    in_force,
    memorandum_input,
    obligation,
    world,
)

pytestmark = pytest.mark.django_db

TODAY = site_today()
DAY = dt.timedelta(days=1)


def _seen(user) -> set[int]:
    return set(memoranda_for_user(user).values_list("pk", flat=True))


# --- access ------------------------------------------------------------------------------


def test_who_sees_a_memorandum_of_a_community():
    w = world()
    signed, waiting = in_force(w), draft(w, title="A draft")
    both = {signed.pk, waiting.pk}

    for user in (w.admin_user, w.analyst_user, w.supervisor_user, w.officer_user, w.beat_user):
        assert _seen(user) == both, user.username
    assert _seen(w.head_user) == {signed.pk}  # a head never sees drafts
    assert _seen(w.stranger_user) == set()
    assert _seen(AnonymousUser()) == set()


def test_an_officer_of_a_district_sees_the_memoranda_of_its_communities():
    from blisko.officers.models import Role
    from blisko.officers.tests.factories import AreaFactory, AssignmentFactory, OfficerFactory
    from blisko.plans.tests.plans_data import user
    from blisko.territories.models import Level

    w = world()
    district = AreaFactory(level=Level.DISTRICT, parent=w.region, boundary=None)
    community = AreaFactory(parent=district, centre=(24.3, 48.3))
    officer = OfficerFactory()
    AssignmentFactory(officer=officer, area=district, role=Role.DISTRICT_OFFICER)
    district_user = user("district_a", officer)
    memorandum = draft(w, parties=[PartyInput(area=community, head_name="A", head_office="Head")])

    assert memorandum.pk in _seen(district_user)
    assert memorandum.pk not in _seen(w.officer_user)


def test_an_inactive_head_sees_nothing():
    w = world()
    in_force(w)
    w.head.is_active = False
    w.head.save()
    assert _seen(w.head_user) == set()


def test_a_memorandum_out_of_reach_answers_as_missing():
    w = world()
    memorandum = draft(w)
    assert memorandum_get(user=w.officer_user, memorandum_id=memorandum.pk) == memorandum
    with pytest.raises(NotFoundError):
        memorandum_get(user=w.stranger_user, memorandum_id=memorandum.pk)
    with pytest.raises(NotFoundError):
        memorandum_get(user=w.head_user, memorandum_id=memorandum.pk)  # a draft


def test_who_writes_records_and_downloads():
    w = world()
    memorandum = in_force(w)

    assert user_may_write(user=w.supervisor_user, memorandum=memorandum)
    assert user_may_write(user=w.admin_user, memorandum=memorandum)
    for user in (w.officer_user, w.analyst_user, w.head_user, w.stranger_user):
        assert not user_may_write(user=user, memorandum=memorandum), user.username

    for user in (w.supervisor_user, w.officer_user, w.beat_user, w.admin_user):
        assert user_may_record_fulfilment(user=user, memorandum=memorandum), user.username
    for user in (w.analyst_user, w.head_user, w.stranger_user):
        assert not user_may_record_fulfilment(user=user, memorandum=memorandum), user.username

    for user in (w.supervisor_user, w.officer_user, w.analyst_user, w.admin_user):
        assert user_may_see_document(user=user, memorandum=memorandum), user.username
    for user in (w.head_user, w.stranger_user):
        assert not user_may_see_document(user=user, memorandum=memorandum), user.username

    assert user_may_create(user=w.supervisor_user) and user_may_create(user=w.admin_user)
    assert not user_may_create(user=w.officer_user) and not user_may_create(user=w.head_user)


def test_a_memorandum_with_a_community_out_of_reach_is_written_by_administrators_only():
    w = world()
    memorandum = memorandum_create(
        actor=w.admin_user,
        data=memorandum_input(
            w,
            parties=[
                PartyInput(area=w.area, head_name="A", head_office="Head"),
                PartyInput(area=w.far_area, head_name="B", head_office="Head"),
            ],
        ),
    )
    assert not user_may_write(user=w.supervisor_user, memorandum=memorandum)
    assert user_may_write(user=w.admin_user, memorandum=memorandum)


def test_the_communities_a_supervisor_may_choose_are_those_of_their_region():
    w = world()
    chosen = set(communities_for_writer(user=w.supervisor_user))
    assert {w.area, w.other} <= chosen
    assert w.far_area not in chosen and w.beat not in chosen and w.region not in chosen
    assert not communities_for_writer(user=w.officer_user).exists()
    assert w.far_area in set(communities_for_writer(user=w.admin_user))


def test_the_memoranda_of_a_community_are_the_signed_ones_or_those_in_force_on_a_day():
    w = world()
    old = in_force(
        w,
        title="Old",
        signed_on=TODAY - dt.timedelta(days=400),
        valid_until=TODAY - dt.timedelta(days=40),
    )
    workflow.memoranda_expire(today=TODAY)
    current = in_force(w, title="Current", signed_on=TODAY - dt.timedelta(days=10))
    draft(w, title="Draft")

    assert list(memoranda_for_community(area=w.area, on=None)) == [current, old]
    assert list(memoranda_for_community(area=w.area, on=TODAY)) == [current]
    assert list(memoranda_for_community(area=w.area, on=TODAY - dt.timedelta(days=100))) == [old]
    assert not memoranda_for_community(area=w.other, on=None).exists()


# --- the list and the history ------------------------------------------------------------


def test_the_list_filters_by_status_and_text():
    w = world()
    signed = in_force(w, title="Меморандум про службове житло")
    waiting = draft(w, title="Угода з ліцеєм", number="77/1")

    assert list(memorandum_list(user=w.supervisor_user)) == [waiting, signed]  # drafts first
    assert list(memorandum_list(user=w.supervisor_user, status="in_force")) == [signed]
    assert list(memorandum_list(user=w.supervisor_user, query="житло")) == [signed]
    assert list(memorandum_list(user=w.supervisor_user, query="77/1")) == [waiting]
    assert set(memorandum_list(user=w.supervisor_user, query=w.area.name_en)) == {signed, waiting}
    assert set(memorandum_list(user=w.supervisor_user, query="Ліцей")) == {signed, waiting}
    assert list(memorandum_list(user=w.stranger_user)) == []


def test_the_history_holds_the_memorandum_its_obligations_and_fulfilment_newest_first():
    w = world()
    memorandum = in_force(w)
    kept = obligation(w, memorandum, description="Kept")
    spare = obligation(w, memorandum, description="Spare")
    obligation_remove(actor=w.supervisor_user, obligation=spare)
    fulfilment_record(actor=w.officer_user, obligation=kept, on=TODAY, state="fulfilled")
    draft(w, title="Another").obligations.exists()

    history = memorandum_history(memorandum=memorandum)

    assert [(e.entity, e.action) for e in history] == [
        ("fulfilment", "recorded"),
        ("obligation", "removed"),
        ("obligation", "created"),
        ("obligation", "created"),
        ("memorandum", "in_force"),
        ("memorandum", "created"),
    ]


# --- standing ----------------------------------------------------------------------------


def _standing(o: Obligation, today: dt.date = TODAY) -> str:
    return obligation_standing(obligation=Obligation.objects.get(pk=o.pk), today=today).kind


def test_a_once_obligation_is_pending_then_overdue_then_stands_as_last_recorded():
    w = world()
    memorandum = in_force(w, signed_on=TODAY - dt.timedelta(days=60))
    undated = obligation(w, memorandum)
    due = obligation(w, memorandum, due_on=TODAY - dt.timedelta(days=20))
    later = obligation(w, memorandum, due_on=TODAY + dt.timedelta(days=5))

    assert _standing(undated) == "pending"
    assert _standing(later) == "pending"
    assert _standing(due) == "overdue"
    assert _standing(later, TODAY + dt.timedelta(days=5)) == "pending"  # due today
    fulfilment_record(
        actor=w.supervisor_user, obligation=due, on=TODAY - dt.timedelta(days=10), state="partly"
    )
    assert _standing(due) == "partly"
    fulfilment_record(actor=w.supervisor_user, obligation=due, on=TODAY, state="fulfilled")
    assert _standing(due) == "fulfilled"
    fulfilment_record(actor=w.supervisor_user, obligation=undated, on=TODAY, state="not")
    assert _standing(undated) == "not"


def test_a_monthly_obligation_stands_as_recorded_in_its_current_period():
    w = world()
    signed = dt.date(2025, 1, 15)
    memorandum = in_force(w, signed_on=signed)
    fuel = obligation(w, memorandum, kind="fuel", due_on=dt.date(2025, 1, 31), recurrence="monthly")
    for day, state in ((dt.date(2025, 2, 3), "fulfilled"), (dt.date(2025, 3, 5), "partly")):
        fulfilment_record(actor=w.supervisor_user, obligation=fuel, on=day, state=state)

    assert _standing(fuel, dt.date(2025, 1, 20)) == "pending"  # not due yet
    assert _standing(fuel, dt.date(2025, 2, 10)) == "fulfilled"  # 31 Jan – 27 Feb
    # 28 Feb (the 31st clipped) – 30 Mar: recorded 5 Mar.
    assert _standing(fuel, dt.date(2025, 3, 10)) == "partly"
    assert _standing(fuel, dt.date(2025, 3, 31)) == "pending"  # a new period, due by 29 Apr
    # Nothing recorded yet this period, but the last one was kept: due by the period's end.
    standing = obligation_standing(
        obligation=Obligation.objects.get(pk=fuel.pk), today=dt.date(2025, 4, 2)
    )
    assert standing.kind == "pending" and standing.due_on == dt.date(2025, 4, 29)
    assert standing.period == (dt.date(2025, 3, 31), dt.date(2025, 4, 29))
    # The period 31 Mar – 29 Apr went by with nothing: overdue, naming it.
    standing = obligation_standing(
        obligation=Obligation.objects.get(pk=fuel.pk), today=dt.date(2025, 5, 2)
    )
    assert standing.kind == "overdue"
    assert standing.period == (dt.date(2025, 3, 31), dt.date(2025, 4, 29))


def test_quarterly_and_yearly_obligations_count_their_periods_from_the_first_due_date():
    w = world()
    memorandum = in_force(w, signed_on=dt.date(2024, 1, 1))
    quarterly = obligation(w, memorandum, due_on=dt.date(2024, 1, 10), recurrence="quarterly")
    yearly = obligation(w, memorandum, due_on=dt.date(2024, 2, 29), recurrence="yearly")
    fulfilment_record(
        actor=w.supervisor_user, obligation=quarterly, on=dt.date(2024, 5, 1), state="fulfilled"
    )
    fulfilment_record(
        actor=w.supervisor_user, obligation=yearly, on=dt.date(2025, 3, 1), state="fulfilled"
    )

    assert _standing(quarterly, dt.date(2024, 7, 9)) == "fulfilled"  # 10 Apr – 9 Jul
    assert _standing(quarterly, dt.date(2024, 7, 11)) == "pending"  # 10 Jul – 9 Oct, due by then
    assert _standing(quarterly, dt.date(2024, 10, 11)) == "overdue"  # 10 Jul – 9 Oct went by
    assert _standing(yearly, dt.date(2025, 1, 1)) == "pending"  # the first year, due by 27 Feb
    assert _standing(yearly, dt.date(2025, 6, 1)) == "fulfilled"  # 28 Feb 2025 – ...


def test_a_drafts_obligations_are_pending_and_an_ended_one_stands_as_on_its_last_day():
    w = world()
    waiting = draft(w)
    overdue_once = obligation(w, waiting, due_on=TODAY - dt.timedelta(days=3))
    assert _standing(overdue_once) == "pending"

    memorandum = in_force(
        w,
        title="Ended",
        signed_on=TODAY - dt.timedelta(days=90),
        parties=[PartyInput(area=w.other, head_name="A", head_office="B")],
    )
    monthly = obligation(w, memorandum, due_on=TODAY - dt.timedelta(days=90), recurrence="monthly")
    workflow.memorandum_terminate(
        actor=w.supervisor_user,
        memorandum=memorandum,
        terminated_on=TODAY - dt.timedelta(days=60),
        reason="R",
    )
    standing = obligation_standing(obligation=Obligation.objects.get(pk=monthly.pk), today=TODAY)
    assert standing.kind == "overdue"
    assert standing.period[0] <= TODAY - dt.timedelta(days=61) <= standing.period[1]


def test_the_summary_counts_the_obligations_by_standing():
    w = world()
    memorandum = in_force(w, signed_on=TODAY - dt.timedelta(days=60))
    first = obligation(w, memorandum)
    obligation(w, memorandum, due_on=TODAY - dt.timedelta(days=1))
    obligation(w, memorandum)
    fulfilment_record(actor=w.supervisor_user, obligation=first, on=TODAY, state="fulfilled")

    counts = memorandum_summary(memorandum=memorandum)
    listed = memoranda_summaries(list(Memorandum.objects.filter(pk=memorandum.pk)))

    assert counts == {
        "fulfilled": 1,
        "partly": 0,
        "not": 0,
        "overdue": 1,
        "pending": 1,
        "total": 3,
    }
    assert listed[0].summary_counts == counts
