"""A memorandum's obligations and their fulfilment: added, changed and removed while a draft or
in force, recorded while in force; each allowed and refused, audited, nothing half-written."""

import datetime as dt

import pytest

from blisko.core.clock import site_today
from blisko.core.exceptions import ApplicationError
from blisko.core.models import AuditEvent
from blisko.partnerships.models import Fulfilment, Obligation, PartyKind
from blisko.partnerships.services import workflow
from blisko.partnerships.services.obligations import (
    ObligationInput,
    fulfilment_record,
    obligation_add,
    obligation_remove,
    obligation_update,
)
from blisko.partnerships.tests.partnerships_data import draft, in_force, obligation, world

pytestmark = pytest.mark.django_db

TODAY = site_today()
DAY = dt.timedelta(days=1)


def _refused(call, field: str, status: int = 400) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        call()
    assert caught.value.extra.get("field") == field, caught.value.extra
    assert caught.value.status == status, caught.value.message
    return caught.value


def _data(party="police", **overrides) -> ObligationInput:
    values = {"party": party, "kind": "fuel", "description": "200 л пального щомісяця"}
    values.update(overrides)
    return ObligationInput(**values)


# --- add, change, remove -----------------------------------------------------------------


def test_obligations_of_the_police_a_community_and_a_partner_are_added_and_audited():
    w = world()
    memorandum = draft(w)
    party, partner = memorandum.parties.get(), memorandum.partners.get()

    police = obligation(w, memorandum, party="police", kind="other", description="An officer")
    community = obligation(w, memorandum, party=f"community:{party.pk}", kind="housing")
    school = obligation(w, memorandum, party=partner, kind="equipment")

    assert police.party_kind == PartyKind.POLICE and police.party_name == w.unit.name
    assert community.party_area == party and community.party_name == str(w.area.name)
    assert school.party_partner == partner and school.party_name == "Ліцей № 1"
    events = AuditEvent.objects.filter(entity="obligation", action="created")
    assert events.count() == 3
    assert {e.after["memorandum"] for e in events} == {memorandum.pk}


def test_an_obligation_is_added_to_a_memorandum_in_force_along_the_way():
    w = world()
    memorandum = in_force(w, signed_on=TODAY - dt.timedelta(days=10))
    added = obligation(w, memorandum, due_on=TODAY + dt.timedelta(days=10))
    assert added.due_on == TODAY + dt.timedelta(days=10)


def test_an_obligation_due_before_the_signature_is_refused():
    w = world()
    memorandum = in_force(w, signed_on=TODAY - dt.timedelta(days=10))

    error = _refused(
        lambda: obligation(w, memorandum, due_on=TODAY - dt.timedelta(days=11)), "due_on"
    )

    assert "before the memorandum was signed" in error.message
    assert not Obligation.objects.exists()


def test_a_party_of_another_memorandum_is_refused():
    w = world()
    memorandum, other = draft(w), draft(w, title="Other")
    for party in (
        other.parties.get(),
        other.partners.get(),
        f"community:{other.parties.get().pk}",
        f"partner:{other.partners.get().pk}",
    ):
        error = _refused(lambda party=party: obligation(w, memorandum, party=party), "party")
        assert "another memorandum" in error.message
    assert not Obligation.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"party": "mayor"}, "party"),
        ({"party": "community:999999"}, "party"),
        ({"party": "partner:x"}, "party"),
        ({"kind": "helicopter"}, "kind"),
        ({"description": " "}, "description"),
        ({"description": "x" * 2001}, "description"),
        ({"recurrence": "weekly", "due_on": TODAY}, "recurrence"),
        ({"recurrence": "monthly"}, "due_on"),
        ({"due_on": "2030-01-01"}, "due_on"),
    ],
)
def test_an_obligation_with_bad_input_is_refused_and_nothing_is_written(change, field):
    w = world()
    memorandum = draft(w)
    _refused(
        lambda: obligation_add(
            actor=w.supervisor_user, memorandum=memorandum, data=_data(**change)
        ),
        field,
    )
    assert not Obligation.objects.exists()
    assert not AuditEvent.objects.filter(entity="obligation").exists()


def test_an_obligation_due_after_the_memorandum_ends_is_refused():
    w = world()
    memorandum = draft(w, valid_until=TODAY + dt.timedelta(days=30))
    _refused(lambda: obligation(w, memorandum, due_on=TODAY + dt.timedelta(days=31)), "due_on")


def test_the_obligations_of_an_ended_memorandum_do_not_change():
    w = world()
    memorandum = in_force(w)
    kept = obligation(w, memorandum)
    memorandum = workflow.memorandum_terminate(
        actor=w.supervisor_user, memorandum=memorandum, terminated_on=TODAY, reason="R"
    )
    _refused(lambda: obligation(w, memorandum), "status", 409)
    _refused(
        lambda: obligation_update(actor=w.supervisor_user, obligation=kept, data=_data()),
        "status",
        409,
    )
    _refused(lambda: obligation_remove(actor=w.supervisor_user, obligation=kept), "status", 409)


def test_an_officer_or_a_head_cannot_add_obligations():
    w = world()
    memorandum = draft(w)
    for actor in (w.officer_user, w.head_user):
        _refused(
            lambda actor=actor: obligation_add(actor=actor, memorandum=memorandum, data=_data()),
            "status",
            403,
        )


def test_an_obligation_is_changed_and_the_change_audited():
    w = world()
    memorandum = draft(w)
    promise = obligation(w, memorandum)

    changed = obligation_update(
        actor=w.supervisor_user,
        obligation=promise,
        data=_data(
            party=memorandum.parties.get(),
            kind="vehicle",
            description="A car for the officer",
            due_on=TODAY + dt.timedelta(days=30),
        ),
    )

    assert changed.kind == "vehicle" and changed.party_kind == PartyKind.COMMUNITY
    event = AuditEvent.objects.get(entity="obligation", action="changed")
    assert event.before["kind"] == "office" and event.after["kind"] == "vehicle"
    assert event.after["party"] == f"community:{memorandum.parties.get().pk}"


def test_changing_an_obligation_to_due_before_the_signature_is_refused():
    w = world()
    memorandum = in_force(w, signed_on=TODAY - dt.timedelta(days=5))
    promise = obligation(w, memorandum, due_on=TODAY)
    _refused(
        lambda: obligation_update(
            actor=w.supervisor_user,
            obligation=promise,
            data=_data(due_on=TODAY - dt.timedelta(days=6)),
        ),
        "due_on",
    )
    promise.refresh_from_db()
    assert promise.due_on == TODAY


def test_an_obligation_without_fulfilment_is_removed_and_one_with_fulfilment_stays():
    w = world()
    memorandum = in_force(w)
    spare, kept = obligation(w, memorandum), obligation(w, memorandum, description="Kept")
    fulfilment_record(actor=w.supervisor_user, obligation=kept, on=TODAY, state="fulfilled")

    obligation_remove(actor=w.supervisor_user, obligation=spare)
    _refused(lambda: obligation_remove(actor=w.supervisor_user, obligation=kept), "obligation", 409)

    assert list(memorandum.obligations.all()) == [kept]
    event = AuditEvent.objects.get(entity="obligation", action="removed")
    assert event.entity_id == str(spare.pk) and event.before["memorandum"] == memorandum.pk


# --- fulfilment --------------------------------------------------------------------------


def test_the_fulfilment_is_recorded_by_a_supervisor_and_audited():
    w = world()
    memorandum = in_force(w, signed_on=TODAY - dt.timedelta(days=10))
    promise = obligation(w, memorandum, party=memorandum.parties.get())

    done = fulfilment_record(
        actor=w.supervisor_user,
        obligation=promise,
        on=TODAY - DAY,
        state="partly",
        evidence="Акт приймання-передачі № 4",
        note="The office has no heating yet.",
    )

    assert done.recorded_by == w.supervisor_user and done.state == "partly"
    event = AuditEvent.objects.get(entity="fulfilment")
    assert event.action == "recorded" and event.after["obligation"] == promise.pk
    assert event.after["memorandum"] == memorandum.pk and event.after["state"] == "partly"


def test_officers_serving_the_community_or_one_of_its_beats_record_the_fulfilment():
    w = world()
    memorandum = in_force(w)
    promise = obligation(w, memorandum)
    fulfilment_record(actor=w.officer_user, obligation=promise, on=TODAY, state="fulfilled")
    fulfilment_record(actor=w.beat_user, obligation=promise, on=TODAY, state="not")
    assert Fulfilment.objects.filter(obligation=promise).count() == 2


def test_a_head_an_analyst_or_an_officer_of_another_region_cannot_record_the_fulfilment():
    w = world()
    memorandum = in_force(w)
    promise = obligation(w, memorandum)
    for actor in (w.head_user, w.analyst_user, w.stranger_user):
        _refused(
            lambda actor=actor: fulfilment_record(
                actor=actor, obligation=promise, on=TODAY, state="fulfilled"
            ),
            "status",
            403,
        )
    assert not Fulfilment.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"on": TODAY + DAY}, "on"),
        ({"on": TODAY - dt.timedelta(days=11)}, "on"),
        ({"on": "today"}, "on"),
        ({"state": "maybe"}, "state"),
        ({"evidence": "e" * 501}, "evidence"),
        ({"note": "n" * 2001}, "note"),
    ],
)
def test_a_fulfilment_with_bad_input_is_refused_and_nothing_is_written(change, field):
    w = world()
    memorandum = in_force(w, signed_on=TODAY - dt.timedelta(days=10))
    promise = obligation(w, memorandum)
    values = {"on": TODAY, "state": "fulfilled", **change}
    _refused(
        lambda: fulfilment_record(actor=w.supervisor_user, obligation=promise, **values), field
    )
    assert not Fulfilment.objects.exists()
    assert not AuditEvent.objects.filter(entity="fulfilment").exists()


def test_the_fulfilment_of_a_draft_is_refused():
    w = world()
    promise = obligation(w, draft(w))
    _refused(
        lambda: fulfilment_record(
            actor=w.supervisor_user, obligation=promise, on=TODAY, state="fulfilled"
        ),
        "status",
        409,
    )
