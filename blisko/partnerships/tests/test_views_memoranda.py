"""The memoranda's pages: the status and permission of each (anonymous → sign-in, out of
reach → 404, a head → no document), what they show, and their forms: a refusal re-renders
the page with the error and the service's status code."""

import datetime as dt

import pytest

from blisko.core.clock import site_today
from blisko.partnerships.models import Fulfilment, Memorandum, MemorandumStatus, Obligation
from blisko.partnerships.services.memoranda import memorandum_document_attach
from blisko.partnerships.tests.partnerships_data import (
    draft,
    in_force,
    obligation,
    pdf_bytes,
    pdf_upload,
    world,
)

pytestmark = pytest.mark.django_db

TODAY = site_today()
BASE = "/police/partnerships/"


def signed_in(client, user):
    client.force_login(user)
    return client


def _urls(memorandum: Memorandum, promise: Obligation) -> dict[str, str]:
    m, o = memorandum.pk, promise.pk
    return {
        "list": BASE,
        "new": f"{BASE}new/",
        "page": f"{BASE}{m}/",
        "edit": f"{BASE}{m}/edit/",
        "document": f"{BASE}{m}/document/",
        "obligation-edit": f"{BASE}{m}/obligations/{o}/edit/",
    }


def _posts(memorandum: Memorandum, promise: Obligation) -> list[str]:
    m, o = memorandum.pk, promise.pk
    return [
        f"{BASE}{m}/sign/",
        f"{BASE}{m}/terminate/",
        f"{BASE}{m}/document/attach/",
        f"{BASE}{m}/obligations/",
        f"{BASE}{m}/obligations/{o}/remove/",
        f"{BASE}{m}/obligations/{o}/fulfilments/",
    ]


def _new_form(w, **overrides) -> dict[str, str]:
    data = {
        "kind": "memorandum",
        "title": "Меморандум про співпрацю",
        "number": "5/2025",
        "unit": str(w.unit.pk),
        "valid_until": "",
        "summary": "",
        "parties-TOTAL_FORMS": "3",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "1000",
        "parties-0-area": str(w.area.pk),
        "parties-0-head_name": "Оксана Мельник",
        "parties-0-head_office": "Голова громади",
        "partners-TOTAL_FORMS": "2",
        "partners-INITIAL_FORMS": "0",
        "partners-MIN_NUM_FORMS": "0",
        "partners-MAX_NUM_FORMS": "1000",
        "partners-0-name": "Ліцей № 1",
        "partners-0-kind": "school",
        "partners-0-representative": "Директор",
    }
    data.update(overrides)
    return data


# --- permission --------------------------------------------------------------------------


def test_every_page_needs_a_sign_in(client):
    w = world()
    memorandum = in_force(w)
    promise = obligation(w, memorandum)
    for url in _urls(memorandum, promise).values():
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    for url in _posts(memorandum, promise):
        response = client.post(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert memorandum.obligations.count() == 1


def test_an_officer_of_another_region_gets_404_everywhere(client):
    w = world()
    memorandum = in_force(w)
    promise = obligation(w, memorandum)
    memorandum_document_attach(
        actor=w.supervisor_user, memorandum=memorandum, document=pdf_upload()
    )
    signed_in(client, w.stranger_user)

    urls = _urls(memorandum, promise)
    for name in ("page", "edit", "document", "obligation-edit"):
        assert client.get(urls[name]).status_code == 404, name
    for url in _posts(memorandum, promise):
        assert client.post(url, {"status": "in_force"}).status_code == 404, url
    listing = client.get(BASE)
    assert listing.status_code == 200 and f'data-memorandum="{memorandum.pk}"' not in listing.text
    assert client.get(urls["new"]).status_code == 403


def test_a_head_reads_their_communitys_memorandum_without_the_document_or_forms(client):
    w = world()
    memorandum = in_force(w)
    obligation(w, memorandum)
    memorandum_document_attach(
        actor=w.supervisor_user, memorandum=memorandum, document=pdf_upload()
    )
    waiting = draft(w, title="Чернетка")
    signed_in(client, w.head_user)

    listing = client.get(BASE)
    page = client.get(f"{BASE}{memorandum.pk}/")

    assert listing.status_code == 200
    assert f'data-memorandum="{memorandum.pk}"' in listing.text
    assert f'data-memorandum="{waiting.pk}"' not in listing.text
    assert "data-new-memorandum" not in listing.text
    assert page.status_code == 200 and "data-head-nav" in page.text
    assert "data-document" not in page.text and "data-fulfilment-form" not in page.text
    assert "data-obligation-form" not in page.text and "data-terminate-form" not in page.text
    assert client.get(f"{BASE}{memorandum.pk}/document/").status_code == 404
    assert client.get(f"{BASE}{waiting.pk}/").status_code == 404
    response = client.post(
        f"{BASE}{memorandum.pk}/terminate/",
        {"status": "in_force", "terminated_on": TODAY.isoformat(), "reason": "No"},
    )
    assert response.status_code == 403
    assert Memorandum.objects.get(pk=memorandum.pk).status == MemorandumStatus.IN_FORCE


def test_an_officer_sees_the_page_records_fulfilment_but_cannot_write(client):
    w = world()
    memorandum = in_force(w)
    promise = obligation(w, memorandum)
    signed_in(client, w.officer_user)

    page = client.get(f"{BASE}{memorandum.pk}/")
    response = client.post(
        f"{BASE}{memorandum.pk}/obligations/{promise.pk}/fulfilments/",
        {"on": TODAY.isoformat(), "state": "fulfilled", "evidence": "Акт № 2", "note": ""},
    )

    assert page.status_code == 200
    assert f'data-fulfilment-form="{promise.pk}"' in page.text
    assert "data-terminate-form" not in page.text and "data-obligation-form" not in page.text
    assert response.status_code == 302
    assert Fulfilment.objects.get().recorded_by == w.officer_user
    assert client.get(f"{BASE}new/").status_code == 403
    assert client.get(f"{BASE}{memorandum.pk}/edit/").status_code == 302  # back to the page


# --- the list ----------------------------------------------------------------------------


def test_the_list_shows_its_empty_state_and_the_new_button_to_writers(client):
    w = world()
    signed_in(client, w.supervisor_user)
    response = client.get(BASE)
    assert response.status_code == 200
    assert "data-empty" in response.text and "data-new-memorandum" in response.text
    assert 'aria-current="page"' in response.text


def test_the_list_filters_and_pages_by_fifty(client):
    w = world()
    memoranda = [draft(w, title=f"Меморандум {i:02d}") for i in range(51)]
    signed = in_force(w, title="Підписаний")
    signed_in(client, w.supervisor_user)

    first = client.get(BASE)
    second = client.get(BASE, {"page": 2})
    only = client.get(BASE, {"status": "in_force"})
    text = client.get(BASE, {"q": "Меморандум 07"})
    nothing = client.get(BASE, {"q": "no such thing"})

    assert first.text.count("data-memorandum=") == 50 and "page=2" in first.text
    assert second.text.count("data-memorandum=") == 2
    assert (
        only.text.count("data-memorandum=") == 1 and f'data-memorandum="{signed.pk}"' in only.text
    )
    assert f'data-memorandum="{memoranda[7].pk}"' in text.text
    assert text.text.count("data-memorandum=") == 1
    assert "data-empty" in nothing.text and "No memorandum matches" in nothing.text


# --- writing -----------------------------------------------------------------------------


def test_a_supervisor_writes_a_new_memorandum_through_the_form(client):
    w = world()
    signed_in(client, w.supervisor_user)

    page = client.get(f"{BASE}new/")
    response = client.post(f"{BASE}new/", _new_form(w))

    assert page.status_code == 200 and 'name="parties-2-area"' in page.text
    memorandum = Memorandum.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{BASE}{memorandum.pk}/"
    assert memorandum.status == "draft" and memorandum.parties.get().area == w.area
    assert memorandum.partners.get().name == "Ліцей № 1"


def test_a_new_memorandum_without_a_community_is_re_rendered_with_the_error(client):
    w = world()
    signed_in(client, w.supervisor_user)

    response = client.post(
        f"{BASE}new/",
        _new_form(
            w, **{"parties-0-area": "", "parties-0-head_name": "", "parties-0-head_office": ""}
        ),
    )

    assert response.status_code == 400
    assert 'data-error="parties"' in response.text
    assert "at least one community" in response.text
    assert not Memorandum.objects.exists()


def test_a_community_out_of_reach_is_not_a_choice(client):
    w = world()
    signed_in(client, w.supervisor_user)
    response = client.post(f"{BASE}new/", _new_form(w, **{"parties-0-area": str(w.far_area.pk)}))
    assert response.status_code == 400 and 'data-error="area"' in response.text
    assert not Memorandum.objects.exists()


def test_a_draft_is_changed_through_the_form(client):
    w = world()
    memorandum = draft(w)
    party, partner = memorandum.parties.get(), memorandum.partners.get()
    signed_in(client, w.supervisor_user)
    form = client.get(f"{BASE}{memorandum.pk}/edit/")
    data = _new_form(
        w,
        title="Новий заголовок",
        **{
            "parties-TOTAL_FORMS": "3",
            "parties-INITIAL_FORMS": "1",
            "parties-0-area": str(party.area_id),
            "parties-1-area": str(w.other.pk),
            "parties-1-head_name": "Петро Коваль",
            "parties-1-head_office": "Голова",
            "partners-TOTAL_FORMS": "3",
            "partners-INITIAL_FORMS": "1",
            "partners-0-pk": str(partner.pk),
            "partners-0-DELETE": "on",
        },
    )

    response = client.post(f"{BASE}{memorandum.pk}/edit/", data)

    assert form.status_code == 200 and 'value="Ліцей № 1"' in form.text
    assert response.status_code == 302
    memorandum.refresh_from_db()
    assert memorandum.title == "Новий заголовок"
    assert {p.area for p in memorandum.parties.all()} == {w.area, w.other}
    assert not memorandum.partners.exists()


def test_signing_with_a_pdf_through_the_page_and_downloading_it(client):
    w = world()
    memorandum = draft(w)
    signed_in(client, w.supervisor_user)

    page = client.get(f"{BASE}{memorandum.pk}/")
    response = client.post(
        f"{BASE}{memorandum.pk}/sign/",
        {"status": "draft", "signed_on": TODAY.isoformat(), "document": pdf_upload()},
    )
    download = client.get(f"{BASE}{memorandum.pk}/document/")

    assert page.status_code == 200 and "data-sign-form" in page.text
    assert response.status_code == 302
    assert Memorandum.objects.get(pk=memorandum.pk).status == MemorandumStatus.IN_FORCE
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    # The name keeps its letters whatever their script (as RFC 6266's filename*).
    Memorandum.objects.filter(pk=memorandum.pk).update(number="ВН-002/2023")
    named = client.get(f"{BASE}{memorandum.pk}/document/")["Content-Disposition"]
    assert "filename*=utf-8''%D0%B2%D0%BD-0022023.pdf" in named
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == pdf_bytes()
    signed_page = client.get(f"{BASE}{memorandum.pk}/")
    assert (
        "data-document" in signed_page.text
        and 'data-memorandum-status="in_force"' in signed_page.text
    )


def test_a_refused_signing_is_shown_on_the_page_with_its_status(client):
    w = world()
    in_force(w)
    second = draft(w, title="Другий")
    signed_in(client, w.supervisor_user)

    overlapping = client.post(
        f"{BASE}{second.pk}/sign/", {"status": "draft", "signed_on": TODAY.isoformat()}
    )
    future = client.post(
        f"{BASE}{second.pk}/sign/",
        {"status": "draft", "signed_on": (TODAY + dt.timedelta(days=1)).isoformat()},
    )
    not_pdf = client.post(
        f"{BASE}{second.pk}/sign/",
        {
            "status": "draft",
            "signed_on": TODAY.isoformat(),
            "document": pdf_upload(name="scan.pdf", data=b"GIF89a not a pdf"),
        },
    )
    stale = client.post(
        f"{BASE}{second.pk}/sign/", {"status": "in_force", "signed_on": TODAY.isoformat()}
    )

    assert overlapping.status_code == 409 and "already in force" in overlapping.text
    assert future.status_code == 400 and "cannot be in the future" in future.text
    assert not_pdf.status_code == 400 and 'data-error="document"' in not_pdf.text
    assert stale.status_code == 409 and "Someone else has just changed" in stale.text
    assert Memorandum.objects.get(pk=second.pk).status == MemorandumStatus.DRAFT


def test_terminating_through_the_page_and_its_refusals(client):
    w = world()
    memorandum = in_force(w, signed_on=TODAY - dt.timedelta(days=10))
    signed_in(client, w.supervisor_user)
    url = f"{BASE}{memorandum.pk}/terminate/"

    no_reason = client.post(url, {"status": "in_force", "terminated_on": TODAY.isoformat()})
    too_early = client.post(
        url,
        {
            "status": "in_force",
            "terminated_on": (TODAY - dt.timedelta(days=11)).isoformat(),
            "reason": "R",
        },
    )
    done = client.post(
        url, {"status": "in_force", "terminated_on": TODAY.isoformat(), "reason": "Реформа"}
    )

    assert no_reason.status_code == 400 and 'data-error="reason"' in no_reason.text
    assert too_early.status_code == 400 and 'data-error="terminated_on"' in too_early.text
    assert done.status_code == 302
    page = client.get(f"{BASE}{memorandum.pk}/")
    assert "data-termination-reason" in page.text and "Реформа" in page.text


def test_attaching_a_document_that_is_not_a_pdf_is_refused_on_the_page(client):
    w = world()
    memorandum = draft(w)
    signed_in(client, w.supervisor_user)
    response = client.post(
        f"{BASE}{memorandum.pk}/document/attach/",
        {"document": pdf_upload(name="scan.png", data=b"\x89PNG\r\n")},
    )
    assert response.status_code == 400 and "ending in .pdf" in response.text
    ok = client.post(f"{BASE}{memorandum.pk}/document/attach/", {"document": pdf_upload()})
    assert ok.status_code == 302 and Memorandum.objects.get(pk=memorandum.pk).document


def test_obligations_are_added_changed_removed_and_refused_on_the_page(client):
    w = world()
    memorandum = in_force(w, signed_on=TODAY - dt.timedelta(days=5))
    party = memorandum.parties.get()
    signed_in(client, w.supervisor_user)
    url = f"{BASE}{memorandum.pk}/obligations/"

    early = client.post(
        url,
        {
            "party": f"community:{party.pk}",
            "kind": "housing",
            "description": "A flat for the officer",
            "due_on": (TODAY - dt.timedelta(days=6)).isoformat(),
            "recurrence": "once",
        },
    )
    added = client.post(
        url,
        {
            "party": f"community:{party.pk}",
            "kind": "housing",
            "description": "A flat for the officer",
            "due_on": TODAY.isoformat(),
            "recurrence": "once",
        },
    )
    promise = Obligation.objects.get()
    edit = client.get(f"{BASE}{memorandum.pk}/obligations/{promise.pk}/edit/")
    changed = client.post(
        f"{BASE}{memorandum.pk}/obligations/{promise.pk}/edit/",
        {
            "party": "police",
            "kind": "other",
            "description": "An officer living in the community",
            "due_on": "",
            "recurrence": "once",
        },
    )
    removed = client.post(f"{BASE}{memorandum.pk}/obligations/{promise.pk}/remove/")

    assert early.status_code == 400 and 'data-error="due_on"' in early.text
    assert added.status_code == 302
    assert edit.status_code == 200 and "A flat for the officer" in edit.text
    assert changed.status_code == 302
    assert removed.status_code == 302 and not Obligation.objects.exists()


def test_the_page_shows_each_obligations_standing_and_fulfilment(client):
    w = world()
    memorandum = in_force(w, signed_on=TODAY - dt.timedelta(days=20))
    late = obligation(w, memorandum, due_on=TODAY - dt.timedelta(days=10), description="Late")
    signed_in(client, w.supervisor_user)

    before = client.get(f"{BASE}{memorandum.pk}/")
    bad = client.post(
        f"{BASE}{memorandum.pk}/obligations/{late.pk}/fulfilments/",
        {"on": (TODAY + dt.timedelta(days=1)).isoformat(), "state": "fulfilled"},
    )
    client.post(
        f"{BASE}{memorandum.pk}/obligations/{late.pk}/fulfilments/",
        {"on": TODAY.isoformat(), "state": "partly", "evidence": "Ключі передано"},
    )
    after = client.get(f"{BASE}{memorandum.pk}/")

    assert f'data-obligation="{late.pk}" data-standing="overdue"' in before.text
    assert bad.status_code == 400 and "cannot be in the future" in bad.text
    assert f'data-obligation="{late.pk}" data-standing="partly"' in after.text
    assert "Ключі передано" in after.text
    assert 'data-history-action="fulfilment:recorded"' in after.text


def test_an_obligation_shows_its_five_latest_checks_and_folds_the_earlier_ones(client):
    w = world()
    memorandum = in_force(w, signed_on=TODAY - dt.timedelta(days=300))
    fuel = obligation(w, memorandum, due_on=TODAY - dt.timedelta(days=290), recurrence="monthly")
    for back in range(7):
        Fulfilment.objects.create(
            obligation=fuel, on=TODAY - dt.timedelta(days=30 * back + 1), state="fulfilled"
        )
    client.force_login(w.supervisor_user)

    page = client.get(f"{BASE}{memorandum.pk}/").text

    shown, folded = page.split("data-older-fulfilments", 1)
    assert shown.count("data-fulfilment=") == 5 and folded.count("data-fulfilment=") == 2
