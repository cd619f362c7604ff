"""Writing memoranda: create and change a draft, attach the signed document, sign, terminate
and expire; each move allowed and refused, the bad input of the issue refused with the field
named, nothing half-written, audit events written, and no file left behind by a refusal."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from blisko.core.clock import site_today
from blisko.core.exceptions import ApplicationError
from blisko.core.models import AuditEvent
from blisko.officers.tests.factories import UnitFactory
from blisko.partnerships.models import (
    Memorandum,
    MemorandumArea,
    MemorandumStatus,
    Obligation,
    Partner,
)
from blisko.partnerships.services import workflow
from blisko.partnerships.services.memoranda import (
    PartnerInput,
    PartyInput,
    memorandum_create,
    memorandum_document_attach,
    memorandum_update,
)
from blisko.partnerships.tests.partnerships_data import (
    draft,
    in_force,
    memorandum_input,
    obligation,
    pdf_bytes,
    pdf_upload,
    world,
)

pytestmark = pytest.mark.django_db

TODAY = site_today()
DAY = dt.timedelta(days=1)


def _files() -> set[str]:
    root = Path(settings.MEDIA_ROOT) / "partnerships"
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _refused(call, field: str, status: int = 400) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        call()
    assert caught.value.extra.get("field") == field, caught.value.extra
    assert caught.value.status == status, caught.value.message
    return caught.value


def _unchanged(before: tuple[int, int, int, int]) -> bool:
    return (
        Memorandum.objects.count(),
        MemorandumArea.objects.count(),
        Partner.objects.count(),
        AuditEvent.objects.filter(entity="memorandum").count(),
    ) == before


def _counts() -> tuple[int, int, int, int]:
    return (
        Memorandum.objects.count(),
        MemorandumArea.objects.count(),
        Partner.objects.count(),
        AuditEvent.objects.filter(entity="memorandum").count(),
    )


# --- create ------------------------------------------------------------------------------


def test_a_supervisor_writes_a_draft_with_its_community_and_partner_and_it_is_audited():
    w = world()

    memorandum = draft(w)

    assert memorandum.status == MemorandumStatus.DRAFT and memorandum.signed_on is None
    assert [p.area for p in memorandum.parties.all()] == [w.area]
    assert [p.name for p in memorandum.partners.all()] == ["Ліцей № 1"]
    assert memorandum.created_by == w.supervisor_user
    event = AuditEvent.objects.get(entity="memorandum", entity_id=str(memorandum.pk))
    assert event.action == "created" and event.actor == w.supervisor_user
    assert event.after["parties"][0]["area"] == w.area.code
    assert event.after["partners"][0]["kind"] == "school"


def test_an_administrator_writes_for_any_community_and_unit():
    w = world()
    memorandum = draft(
        w,
        actor=w.admin_user,
        unit=UnitFactory(),
        parties=[PartyInput(area=w.far_area, head_name="Іван Бойко", head_office="Голова")],
    )
    assert memorandum.parties.get().area == w.far_area


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"parties": []}, "parties"),
        ({"title": "   "}, "title"),
        ({"title": "М" * 301}, "title"),
        ({"number": "1" * 65}, "number"),
        ({"summary": "x" * 4001}, "summary"),
        ({"kind": "treaty"}, "kind"),
        ({"unit": None}, "unit"),
        ({"valid_until": "2030-01-01"}, "valid_until"),
        ({"partners": [PartnerInput(name="NGO", kind="club")]}, "partners"),
        ({"partners": [PartnerInput(name="", kind="ngo")]}, "partners"),
        ({"partners": [PartnerInput(name="N" * 201, kind="ngo")]}, "partners"),
    ],
)
def test_a_draft_with_bad_input_is_refused_with_its_field_and_nothing_is_written(change, field):
    w = world()
    before = _counts()

    _refused(lambda: draft(w, **change), field)

    assert _unchanged(before)


def test_a_community_party_that_is_not_a_community_is_refused():
    w = world()
    before = _counts()
    for area in (w.region, w.beat):
        error = _refused(
            lambda area=area: draft(
                w,
                actor=w.admin_user,
                parties=[PartyInput(area=area, head_name="Name", head_office="Office")],
            ),
            "parties",
        )
        assert error.extra["row"] == 0 and error.extra["name"] == "area"
        assert "is not a community" in error.message
    assert _unchanged(before)


def test_a_community_named_twice_or_a_head_without_name_is_refused_on_its_row():
    w = world()
    twice = [
        PartyInput(area=w.area, head_name="A", head_office="Head"),
        PartyInput(area=w.area, head_name="B", head_office="Head"),
    ]
    error = _refused(lambda: draft(w, parties=twice), "parties")
    assert error.extra == {"field": "parties", "row": 1, "name": "area"}
    nameless = [PartyInput(area=w.area, head_name="", head_office="Head")]
    error = _refused(lambda: draft(w, parties=nameless), "parties")
    assert error.extra["name"] == "head_name" and "Community party 1" in error.message
    long_office = [PartyInput(area=w.area, head_name="A", head_office="O" * 201)]
    assert _refused(lambda: draft(w, parties=long_office), "parties").extra["name"] == (
        "head_office"
    )


def test_a_supervisor_cannot_write_for_a_community_or_unit_out_of_reach():
    w = world()
    before = _counts()
    far = [PartyInput(area=w.far_area, head_name="A", head_office="Head")]

    _refused(lambda: draft(w, parties=far), "parties", 403)
    _refused(lambda: draft(w, unit=UnitFactory()), "unit", 403)

    assert _unchanged(before)


def test_an_officer_an_analyst_and_a_head_cannot_write_memoranda():
    w = world()
    for actor in (w.officer_user, w.analyst_user, w.head_user):
        _refused(lambda actor=actor: draft(w, actor=actor), "parties", 403)
    assert Memorandum.objects.count() == 0


# --- change a draft ----------------------------------------------------------------------


def test_a_draft_is_changed_its_kept_partner_keeps_its_obligations_and_it_is_audited():
    w = world()
    memorandum = draft(w)
    school = memorandum.partners.get()
    promise = obligation(w, memorandum, party=school, kind="equipment", description="Projector")

    memorandum_update(
        actor=w.supervisor_user,
        memorandum=memorandum,
        data=memorandum_input(
            w,
            title="Змінений меморандум",
            parties=[
                PartyInput(area=w.area, head_name="Оксана Мельник", head_office="Голова громади"),
                PartyInput(area=w.other, head_name="Петро Коваль", head_office="Голова"),
            ],
            partners=[
                PartnerInput(name="Ліцей № 1 ім. Шевченка", kind="school", pk=school.pk),
                PartnerInput(name="ГО «Безпечна громада»", kind="ngo"),
            ],
        ),
    )

    memorandum.refresh_from_db()
    assert memorandum.title == "Змінений меморандум"
    assert {p.area for p in memorandum.parties.all()} == {w.area, w.other}
    assert memorandum.parties.get(area=w.area).head_office == "Голова громади"
    assert Obligation.objects.get(pk=promise.pk).party_partner.name == "Ліцей № 1 ім. Шевченка"
    assert memorandum.partners.count() == 2
    event = AuditEvent.objects.get(entity="memorandum", action="changed")
    assert event.before["title"] != event.after["title"]
    assert len(event.after["parties"]) == 2


def test_dropping_a_party_or_partner_with_obligations_is_refused_and_nothing_changes():
    w = world()
    memorandum = draft(w)
    party = memorandum.parties.get()
    obligation(w, memorandum, party=party)
    obligation(w, memorandum, party=memorandum.partners.get())
    before = _counts()

    _refused(
        lambda: memorandum_update(
            actor=w.supervisor_user,
            memorandum=memorandum,
            data=memorandum_input(
                w, parties=[PartyInput(area=w.other, head_name="A", head_office="B")]
            ),
        ),
        "parties",
    )
    _refused(
        lambda: memorandum_update(
            actor=w.supervisor_user,
            memorandum=memorandum,
            data=memorandum_input(w, title="Renamed", partners=[]),
        ),
        "partners",
    )

    assert _unchanged(before)
    memorandum.refresh_from_db()
    assert memorandum.title != "Renamed"
    assert memorandum.parties.get().area == w.area


def test_a_partner_of_another_memorandum_is_refused():
    w = world()
    first, second = draft(w), draft(w, title="Another")
    stranger = second.partners.get()

    error = _refused(
        lambda: memorandum_update(
            actor=w.supervisor_user,
            memorandum=first,
            data=memorandum_input(w, partners=[PartnerInput(name="X", kind="ngo", pk=stranger.pk)]),
        ),
        "partners",
    )

    assert "another memorandum" in error.message
    assert Partner.objects.get(pk=stranger.pk).name == "Ліцей № 1"


def test_only_a_draft_is_changed():
    w = world()
    memorandum = in_force(w)
    _refused(
        lambda: memorandum_update(
            actor=w.supervisor_user, memorandum=memorandum, data=memorandum_input(w, title="New")
        ),
        "status",
        409,
    )


def test_a_supervisor_of_another_region_cannot_change_a_draft():
    w = world()
    memorandum = draft(w)
    _refused(
        lambda: memorandum_update(
            actor=w.stranger_user, memorandum=memorandum, data=memorandum_input(w)
        ),
        "parties",
        403,
    )


# --- the document ------------------------------------------------------------------------


def test_a_pdf_is_attached_with_its_hash_and_audited():
    import hashlib

    w = world()
    memorandum = draft(w)

    memorandum = memorandum_document_attach(
        actor=w.supervisor_user, memorandum=memorandum, document=pdf_upload()
    )

    assert memorandum.document.name.startswith("partnerships/")
    assert memorandum.document_sha256 == hashlib.sha256(pdf_bytes()).hexdigest()
    with memorandum.document.open("rb") as handle:
        assert handle.read() == pdf_bytes()
    assert AuditEvent.objects.filter(entity="memorandum", action="document_attached").count() == 1


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("memorandum.pdf", b"PK\x03\x04 a zip file, not a PDF", "not a PDF"),
        ("memorandum.pdf", b"<html>%PDF-1.4</html>", "not a PDF"),
        ("memorandum.docx", pdf_bytes(), "ending in .pdf"),
        ("memorandum.pdf", b"", "empty"),
        ("memorandum.pdf", b"%PDF-1.4 twenty bytes", "not a whole PDF"),
        ("memorandum.pdf", pdf_bytes()[:-40], "not a whole PDF"),
    ],
)
def test_a_document_that_is_not_a_pdf_is_refused_and_nothing_is_stored(name, data, says):
    w = world()
    memorandum = draft(w)
    files = _files()

    error = _refused(
        lambda: memorandum_document_attach(
            actor=w.supervisor_user,
            memorandum=memorandum,
            document=SimpleUploadedFile(name, data, content_type="application/pdf"),
        ),
        "document",
    )

    assert says in error.message
    assert _files() == files
    memorandum.refresh_from_db()
    assert not memorandum.document and memorandum.document_sha256 == ""


def test_a_document_over_the_size_limit_is_refused(settings):
    w = world()
    memorandum = draft(w)
    settings.BLISKO_MEMORANDUM_DOCUMENT_MAX_BYTES = len(pdf_bytes()) - 1
    files = _files()

    error = _refused(
        lambda: memorandum_document_attach(
            actor=w.supervisor_user, memorandum=memorandum, document=pdf_upload()
        ),
        "document",
    )

    assert "larger than" in error.message
    assert _files() == files


def test_a_refused_attach_leaves_no_file_and_keeps_the_previous_one():
    w = world()
    memorandum = memorandum_document_attach(
        actor=w.supervisor_user, memorandum=draft(w), document=pdf_upload()
    )
    previous = memorandum.document.name
    files = _files()

    _refused(
        lambda: memorandum_document_attach(
            actor=w.officer_user, memorandum=memorandum, document=pdf_upload(data=pdf_bytes("B"))
        ),
        "status",
        403,
    )

    assert _files() == files
    memorandum.refresh_from_db()
    assert memorandum.document.name == previous


def test_a_replaced_document_is_deleted_once_committed(django_capture_on_commit_callbacks):
    w = world()
    memorandum = memorandum_document_attach(
        actor=w.supervisor_user, memorandum=draft(w), document=pdf_upload()
    )
    first = Path(memorandum.document.path)

    with django_capture_on_commit_callbacks(execute=True):
        memorandum = memorandum_document_attach(
            actor=w.supervisor_user,
            memorandum=memorandum,
            document=pdf_upload(data=pdf_bytes("Second copy")),
        )

    assert not first.exists()
    assert Path(memorandum.document.path).exists()


def test_the_document_of_an_ended_memorandum_cannot_change():
    w = world()
    memorandum = workflow.memorandum_terminate(
        actor=w.supervisor_user, memorandum=in_force(w), terminated_on=TODAY, reason="Reform"
    )
    files = _files()
    _refused(
        lambda: memorandum_document_attach(
            actor=w.supervisor_user, memorandum=memorandum, document=pdf_upload()
        ),
        "document",
        409,
    )
    assert _files() == files


# --- sign --------------------------------------------------------------------------------


def test_signing_puts_a_draft_in_force_with_its_document_and_is_audited():
    w = world()
    memorandum = draft(w, valid_until=TODAY + dt.timedelta(days=365))

    signed = workflow.memorandum_sign(
        actor=w.supervisor_user,
        memorandum=memorandum,
        signed_on=TODAY - DAY,
        document=pdf_upload(),
    )

    assert signed.status == MemorandumStatus.IN_FORCE and signed.signed_on == TODAY - DAY
    assert signed.document and signed.document_sha256
    event = AuditEvent.objects.get(entity="memorandum", action="in_force")
    assert event.before["status"] == "draft" and event.after["status"] == "in_force"
    assert event.after["signed_on"] == (TODAY - DAY).isoformat()


def test_signing_on_a_day_in_the_future_is_refused():
    w = world()
    _refused(
        lambda: workflow.memorandum_sign(
            actor=w.supervisor_user, memorandum=draft(w), signed_on=TODAY + DAY
        ),
        "signed_on",
    )


def test_a_memorandum_valid_until_before_it_is_signed_is_refused():
    w = world()
    memorandum = draft(w, valid_until=TODAY - dt.timedelta(days=10))

    error = _refused(
        lambda: workflow.memorandum_sign(
            actor=w.supervisor_user, memorandum=memorandum, signed_on=TODAY - DAY
        ),
        "valid_until",
    )

    assert "before the day of signing" in error.message
    memorandum.refresh_from_db()
    assert memorandum.status == MemorandumStatus.DRAFT and memorandum.signed_on is None


def test_an_obligation_due_before_the_signature_refuses_the_signing():
    w = world()
    memorandum = draft(w)
    obligation(w, memorandum, due_on=TODAY - dt.timedelta(days=5), description="Keys handed over")
    before = AuditEvent.objects.filter(entity="memorandum").count()

    error = _refused(
        lambda: workflow.memorandum_sign(
            actor=w.supervisor_user, memorandum=memorandum, signed_on=TODAY - DAY
        ),
        "signed_on",
    )

    assert "Keys handed over" in error.message
    assert AuditEvent.objects.filter(entity="memorandum").count() == before


def test_an_overlapping_memorandum_in_force_for_the_same_community_and_unit_is_refused():
    w = world()
    in_force(w, signed_on=TODAY - dt.timedelta(days=100))  # open-ended: forever
    second = draft(w, title="Другий меморандум")
    files = _files()

    error = _refused(
        lambda: workflow.memorandum_sign(
            actor=w.supervisor_user,
            memorandum=second,
            signed_on=TODAY - DAY,
            document=pdf_upload(),
        ),
        "signed_on",
        409,
    )

    assert "already in force" in error.message
    assert _files() == files  # the document of a refused signing is not kept
    second.refresh_from_db()
    assert second.status == MemorandumStatus.DRAFT and not second.document


def test_an_open_ended_new_memorandum_overlaps_one_that_starts_later():
    w = world()
    in_force(w, signed_on=TODAY - dt.timedelta(days=10), valid_until=TODAY + DAY)
    earlier = draft(w, title="Earlier, open-ended")
    _refused(
        lambda: workflow.memorandum_sign(
            actor=w.supervisor_user, memorandum=earlier, signed_on=TODAY - dt.timedelta(days=200)
        ),
        "signed_on",
        409,
    )


def test_memoranda_that_do_not_overlap_or_differ_in_unit_or_community_are_signed():
    w = world()
    in_force(
        w,
        signed_on=TODAY - dt.timedelta(days=400),
        valid_until=TODAY - dt.timedelta(days=31),
    )
    # The next one starts after the first's last day: no overlap.
    next_one = in_force(w, signed_on=TODAY - dt.timedelta(days=30), title="Next")
    # Another unit, the same community: allowed.
    other_unit = in_force(w, title="Other unit", actor=w.admin_user, unit=UnitFactory())
    # The same unit, another community: allowed.
    other_area = in_force(
        w,
        title="Other community",
        parties=[PartyInput(area=w.other, head_name="A", head_office="B")],
    )
    assert {m.status for m in (next_one, other_unit, other_area)} == {MemorandumStatus.IN_FORCE}


def test_an_expired_or_terminated_memorandum_does_not_block_a_new_one():
    w = world()
    old = in_force(w, signed_on=TODAY - dt.timedelta(days=100))
    workflow.memorandum_terminate(
        actor=w.supervisor_user, memorandum=old, terminated_on=TODAY - DAY, reason="Replaced"
    )
    assert in_force(w, signed_on=TODAY - dt.timedelta(days=50), title="New").status == "in_force"


def test_signing_a_memorandum_someone_else_signed_meanwhile_is_a_409():
    w = world()
    memorandum = draft(w)
    stale = Memorandum.objects.get(pk=memorandum.pk)
    workflow.memorandum_sign(actor=w.supervisor_user, memorandum=memorandum, signed_on=TODAY)

    error = _refused(
        lambda: workflow.memorandum_sign(
            actor=w.other_supervisor_user, memorandum=stale, signed_on=TODAY
        ),
        "status",
        409,
    )

    assert "Someone else has just changed this memorandum" in error.message
    assert AuditEvent.objects.filter(entity="memorandum", action="in_force").count() == 1


def test_a_memorandum_in_force_cannot_be_signed_again():
    w = world()
    memorandum = in_force(w)
    error = _refused(
        lambda: workflow.memorandum_sign(
            actor=w.supervisor_user, memorandum=memorandum, signed_on=TODAY
        ),
        "status",
        409,
    )
    assert "cannot become" in error.message


def test_an_officer_or_a_head_cannot_sign():
    w = world()
    memorandum = draft(w)
    for actor in (w.officer_user, w.head_user, w.stranger_user):
        _refused(
            lambda actor=actor: workflow.memorandum_sign(
                actor=actor, memorandum=memorandum, signed_on=TODAY
            ),
            "status",
            403,
        )
    memorandum.refresh_from_db()
    assert memorandum.status == MemorandumStatus.DRAFT


# --- terminate ---------------------------------------------------------------------------


def test_terminating_ends_a_memorandum_in_force_with_its_reason_and_is_audited():
    w = world()
    memorandum = in_force(w, signed_on=TODAY - dt.timedelta(days=30))

    ended = workflow.memorandum_terminate(
        actor=w.supervisor_user,
        memorandum=memorandum,
        terminated_on=TODAY,
        reason="The community merged with its neighbour.",
    )

    assert ended.status == MemorandumStatus.TERMINATED and ended.terminated_on == TODAY
    assert ended.termination_reason == "The community merged with its neighbour."
    event = AuditEvent.objects.get(entity="memorandum", action="terminated")
    assert event.note == "The community merged with its neighbour."
    assert event.before["status"] == "in_force"


@pytest.mark.parametrize(
    ("day", "reason", "field"),
    [
        (TODAY, "  ", "termination_reason"),
        (TODAY, "r" * 1001, "termination_reason"),
        (TODAY + DAY, "Reason", "terminated_on"),
        (TODAY - dt.timedelta(days=31), "Reason", "terminated_on"),
        ("yesterday", "Reason", "terminated_on"),
    ],
)
def test_a_termination_with_bad_input_is_refused(day, reason, field):
    w = world()
    memorandum = in_force(w, signed_on=TODAY - dt.timedelta(days=30))
    _refused(
        lambda: workflow.memorandum_terminate(
            actor=w.supervisor_user, memorandum=memorandum, terminated_on=day, reason=reason
        ),
        field,
    )
    memorandum.refresh_from_db()
    assert memorandum.status == MemorandumStatus.IN_FORCE


def test_a_draft_cannot_be_terminated_nor_after_its_last_day():
    w = world()
    _refused(
        lambda: workflow.memorandum_terminate(
            actor=w.supervisor_user, memorandum=draft(w), terminated_on=TODAY, reason="R"
        ),
        "status",
        409,
    )
    ended = in_force(
        w,
        title="Short",
        signed_on=TODAY - dt.timedelta(days=30),
        valid_until=TODAY - dt.timedelta(days=2),
        parties=[PartyInput(area=w.other, head_name="A", head_office="B")],
    )
    _refused(
        lambda: workflow.memorandum_terminate(
            actor=w.supervisor_user, memorandum=ended, terminated_on=TODAY, reason="R"
        ),
        "terminated_on",
    )


# --- expire ------------------------------------------------------------------------------


def test_memoranda_past_their_last_day_expire_by_the_system_and_others_stay():
    w = world()
    past = in_force(
        w, signed_on=TODAY - dt.timedelta(days=30), valid_until=TODAY - dt.timedelta(days=1)
    )
    current = in_force(
        w,
        title="Current",
        signed_on=TODAY - dt.timedelta(days=30),
        parties=[PartyInput(area=w.other, head_name="A", head_office="B")],
    )

    done = workflow.memoranda_expire(today=TODAY)

    assert [m.pk for m in done] == [past.pk]
    past.refresh_from_db()
    current.refresh_from_db()
    assert past.status == MemorandumStatus.EXPIRED and current.status == MemorandumStatus.IN_FORCE
    event = AuditEvent.objects.get(entity="memorandum", action="expired")
    assert event.actor is None and event.entity_id == str(past.pk)
    assert workflow.memoranda_expire(today=TODAY) == []


def test_only_the_system_or_an_administrator_expires_a_memorandum():
    w = world()
    memorandum = in_force(
        w, signed_on=TODAY - dt.timedelta(days=30), valid_until=TODAY - dt.timedelta(days=1)
    )
    _refused(
        lambda: workflow._transition(memorandum, w.supervisor_user, MemorandumStatus.EXPIRED),
        "status",
        403,
    )


def test_the_database_refuses_a_memorandum_valid_until_before_it_was_signed():
    from django.db import IntegrityError, transaction

    w = world()
    memorandum = in_force(w)
    with pytest.raises(IntegrityError), transaction.atomic():
        Memorandum.objects.filter(pk=memorandum.pk).update(
            valid_until=TODAY - dt.timedelta(days=60)
        )


def test_a_memorandum_created_by_the_system_needs_no_actor():
    w = world()
    memorandum = memorandum_create(actor=None, data=memorandum_input(w))
    assert memorandum.created_by is None
    assert AuditEvent.objects.get(entity="memorandum").actor is None
