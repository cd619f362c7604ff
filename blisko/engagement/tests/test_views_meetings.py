"""The police pages of the meetings (`/police/meetings/`) and their back office: the status and
the permission of each page, what they show, and how a refusal comes back (400, 403, 409)."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from blisko.core.models import AuditEvent
from blisko.core.roles import SUPERVISOR, roles_sync
from blisko.core.tests.helpers import logged_in
from blisko.engagement.models import Meeting, MeetingKind, MeetingStatus, Question, QuestionStatus
from blisko.engagement.services import meetings as services
from blisko.engagement.services.questions import question_submit
from blisko.engagement.tests.meetings_data import local, planned, started, world
from blisko.officers.tests.factories import AreaFactory

pytestmark = pytest.mark.django_db


def signed_in(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def form_data(w, **overrides) -> dict[str, str]:
    data = {
        "area": str(w.area.pk),
        "kind": MeetingKind.DEBATE,
        "title": "Debate on the evening streets",
        "starts_at": local(w.area, 3, 18).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": local(w.area, 3, 20).strftime("%Y-%m-%dT%H:%M"),
        "address": "School no. 2, the hall",
        "lat": "48.2",
        "lon": "24.0",
        "online_url": "",
        "description": "",
        "partners": "",
        "accepts_questions": "on",
    }
    data.update(overrides)
    return data


def ask(meeting, text="Will there be more light?", ip="203.0.113.5"):
    return question_submit(meeting=meeting, text=text, client_ip=ip)


# --- sign-in and reach ---------------------------------------------------------------------


def test_the_pages_need_a_sign_in(client):
    w = world()
    meeting = planned(w)
    for url in ("/police/meetings/", "/police/meetings/new/", f"/police/meetings/{meeting.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_meeting_out_of_reach_is_a_404(client):
    w = world()
    meeting = planned(w)
    signed_in(client, "officer_b")
    assert client.get(f"/police/meetings/{meeting.pk}/").status_code == 404
    assert client.get(f"/police/meetings/{meeting.pk}/edit/").status_code == 404
    assert (
        client.post(f"/police/meetings/{meeting.pk}/move/cancel/", {"reason": "x"}).status_code
        == 404
    )
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.PLANNED


def test_an_account_without_an_officer_sees_no_meetings_and_cannot_plan_one(client):
    w = world()
    planned(w)
    get_user_model().objects.create_user(username="resident", password="x-12345678")
    signed_in(client, "resident")
    listing = client.get("/police/meetings/")
    assert listing.status_code == 200 and "data-meeting=" not in listing.text
    assert "data-new-meeting" not in listing.text
    assert client.get("/police/meetings/new/").status_code == 404


# --- the list --------------------------------------------------------------------------------


def test_the_officer_lists_upcoming_and_past_meetings_in_tabs(client):
    w = world()
    soon = planned(w)
    done = started(w, title="Earlier")
    Meeting.objects.filter(pk=done.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=3),
        ends_at=timezone.now() - dt.timedelta(days=3, hours=-1),
    )
    ask(soon)
    signed_in(client, "officer_a")

    upcoming = client.get("/police/meetings/")
    past = client.get("/police/meetings/?when=past")

    assert upcoming.status_code == 200 and past.status_code == 200
    assert (
        f'data-meeting="{soon.pk}"' in upcoming.text
        and f'data-meeting="{done.pk}"' not in upcoming.text
    )
    assert f'data-meeting="{done.pk}"' in past.text and f'data-meeting="{soon.pk}"' not in past.text
    assert 'aria-current="page" data-tab="upcoming"' in upcoming.text
    assert 'aria-current="page" data-tab="past"' in past.text
    assert "data-pending>1<" in upcoming.text
    assert "data-new-meeting" in upcoming.text


def test_the_list_filters_by_status(client):
    w = world()
    kept, dropped = planned(w), planned(w, title="Dropped")
    services.meeting_cancel(actor=w.officer_user, meeting=dropped, reason="Rain")
    signed_in(client, "officer_a")
    page = client.get("/police/meetings/?when=upcoming&status=cancelled")
    assert (
        f'data-meeting="{dropped.pk}"' in page.text and f'data-meeting="{kept.pk}"' not in page.text
    )


def test_the_list_has_an_empty_state(client):
    world()
    signed_in(client, "officer_a")
    page = client.get("/police/meetings/")
    assert page.status_code == 200 and "data-empty" in page.text


def test_the_list_is_paged_by_fifty(client):
    w = world()
    first = planned(w)
    start = timezone.now() + dt.timedelta(days=5)
    for i in range(50):
        copy = Meeting.objects.create(
            area=w.area,
            kind=MeetingKind.OFFICE_HOURS,
            title=f"Office hours {i}",
            starts_at=start + dt.timedelta(hours=i),
            ends_at=start + dt.timedelta(hours=i, minutes=30),
            address="Office",
        )
        copy.officers.add(w.officer)
    signed_in(client, "officer_a")
    one, two = client.get("/police/meetings/"), client.get("/police/meetings/?page=2")
    assert one.text.count("data-meeting=") == 50 and two.text.count("data-meeting=") == 1
    assert f'data-meeting="{first.pk}"' in one.text  # the soonest first
    assert "Page 1 of 2" in one.text


# --- writing ---------------------------------------------------------------------------------


def test_the_new_meeting_form_offers_the_officers_areas(client):
    w = world()
    signed_in(client, "officer_a")
    page = client.get(f"/police/meetings/new/?area={w.area.pk}")
    assert page.status_code == 200
    assert f'value="{w.area.pk}" selected' in page.text
    assert f'value="{w.other.pk}"' not in page.text
    assert 'type="datetime-local"' in page.text and "data-meeting-picker" in page.text


def test_the_officer_plans_a_meeting_through_the_form(client):
    w = world()
    signed_in(client, "officer_a")
    response = client.post("/police/meetings/new/", form_data(w))
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/police/meetings/{meeting.pk}/"
    assert list(meeting.officers.all()) == [w.officer]
    assert timezone.localtime(meeting.starts_at).replace(tzinfo=None) == local(w.area, 3, 18)
    assert meeting.accepts_questions is True


def test_a_meeting_ending_before_it_starts_comes_back_with_the_error_on_its_field(client):
    w = world()
    signed_in(client, "officer_a")
    response = client.post(
        "/police/meetings/new/",
        form_data(w, ends_at=local(w.area, 3, 17).strftime("%Y-%m-%dT%H:%M")),
    )
    assert response.status_code == 400
    assert 'data-error="ends_at"' in response.text and "must end after it starts" in response.text
    assert "Debate on the evening streets" in response.text  # what was typed stays
    assert Meeting.objects.count() == 0


def test_a_point_outside_the_area_comes_back_on_the_place(client):
    w = world()
    signed_in(client, "officer_a")
    response = client.post("/police/meetings/new/", form_data(w, lat="48.6"))
    assert response.status_code == 400 and 'data-error="location"' in response.text


def test_a_meeting_in_an_area_the_officer_does_not_serve_is_refused_by_the_form(client):
    w = world()
    signed_in(client, "officer_a")
    response = client.post(
        "/police/meetings/new/", form_data(w, area=str(w.other.pk), lat="", lon="")
    )
    assert response.status_code == 400 and 'data-error="area"' in response.text
    assert Meeting.objects.count() == 0


def test_the_edit_form_shows_the_local_times_and_saves_a_change(client):
    w = world()
    meeting = planned(w)
    signed_in(client, "officer_a")
    page = client.get(f"/police/meetings/{meeting.pk}/edit/")
    assert page.status_code == 200
    assert local(w.area, 1, 18).strftime("%Y-%m-%dT%H:%M") in page.text
    assert 'name="sequence" value="0"' in page.text

    data = form_data(w, title="Moved to Friday", sequence="0", status="planned")
    response = client.post(f"/police/meetings/{meeting.pk}/edit/", data)
    assert response.status_code == 302
    stored = Meeting.objects.get(pk=meeting.pk)
    assert stored.title == "Moved to Friday" and stored.sequence == 1


def test_an_edit_from_a_stale_page_is_refused_with_409(client):
    w = world()
    meeting = planned(w)
    services.meeting_update(
        actor=w.supervisor_user,
        meeting=meeting,
        **{**form_data(w), "area": w.area, "officers": None, "accepts_questions": True},
    )
    signed_in(client, "officer_a")
    data = form_data(w, title="Mine", sequence="0", status="planned")
    response = client.post(f"/police/meetings/{meeting.pk}/edit/", data)
    assert response.status_code == 409 and "Someone else" in response.text
    assert Meeting.objects.get(pk=meeting.pk).title == "Debate on the evening streets"


def test_a_cancelled_meeting_cannot_be_edited(client):
    w = world()
    meeting = planned(w)
    services.meeting_cancel(actor=w.officer_user, meeting=meeting, reason="Rain")
    signed_in(client, "officer_a")
    assert client.get(f"/police/meetings/{meeting.pk}/edit/").status_code == 302


# --- the meeting's page and its moves ----------------------------------------------------------


def test_the_meeting_page_shows_details_questions_and_history(client):
    w = world()
    meeting = planned(w)
    question = ask(meeting)
    signed_in(client, "officer_a")
    page = client.get(f"/police/meetings/{meeting.pk}/")
    assert page.status_code == 200
    assert 'data-meeting-status="planned"' in page.text
    assert f'data-question="{question.pk}"' in page.text and "data-publish" in page.text
    assert 'data-move="cancel"' in page.text and 'data-move="hold"' not in page.text
    assert (
        'data-history-action="created"' in page.text
        and 'data-history-action="submitted"' in page.text
    )
    assert f"/meetings/{meeting.uid}/" in page.text


def test_the_meeting_is_cancelled_from_its_page(client):
    w = world()
    meeting = planned(w)
    signed_in(client, "officer_a")
    refused = client.post(
        f"/police/meetings/{meeting.pk}/move/cancel/", {"status": "planned", "sequence": "0"}
    )
    assert refused.status_code == 400 and 'data-error="reason"' in refused.text
    done = client.post(
        f"/police/meetings/{meeting.pk}/move/cancel/",
        {"status": "planned", "sequence": "0", "reason": "The hall is closed."},
    )
    assert done.status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.CANCELLED


def test_holding_a_meeting_not_yet_begun_is_a_409(client):
    w = world()
    meeting = planned(w)
    signed_in(client, "officer_a")
    response = client.post(
        f"/police/meetings/{meeting.pk}/move/hold/",
        {"status": "planned", "sequence": "0", "attendance": "5"},
    )
    assert response.status_code == 409 and "data-refusal" in response.text


def test_a_started_meeting_is_held_then_its_minutes_corrected(client):
    w = world()
    meeting = started(w)
    signed_in(client, "officer_a")
    page = client.get(f"/police/meetings/{meeting.pk}/")
    assert 'data-move="hold"' in page.text
    response = client.post(
        f"/police/meetings/{meeting.pk}/move/hold/",
        {"status": "planned", "sequence": "0", "attendance": "21", "decisions": "A light."},
    )
    assert response.status_code == 302
    page = client.get(f"/police/meetings/{meeting.pk}/")
    assert 'data-move="minutes"' in page.text and "data-minutes" in page.text
    bad = client.post(
        f"/police/meetings/{meeting.pk}/move/minutes/",
        {"status": "held", "sequence": "1", "attendance": "-3"},
    )
    assert bad.status_code == 400 and 'data-error="attendance"' in bad.text
    fixed = client.post(
        f"/police/meetings/{meeting.pk}/move/minutes/",
        {"status": "held", "sequence": "1", "attendance": "23", "decisions": "Two lights."},
    )
    assert fixed.status_code == 302
    stored = Meeting.objects.get(pk=meeting.pk)
    assert (stored.attendance, stored.decisions) == (23, "Two lights.")


def test_a_move_from_a_stale_page_is_a_409(client):
    w = world()
    meeting = planned(w)
    signed_in(client, "officer_a")
    response = client.post(
        f"/police/meetings/{meeting.pk}/move/cancel/",
        {"status": "planned", "sequence": "7", "reason": "x"},
    )
    assert response.status_code == 409
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.PLANNED


def test_an_unknown_move_is_a_404(client):
    w = world()
    meeting = planned(w)
    signed_in(client, "officer_a")
    assert client.post(f"/police/meetings/{meeting.pk}/move/delete/").status_code == 404


# --- moderation ------------------------------------------------------------------------------


def test_questions_are_published_with_an_answer_merged_and_rejected_from_the_page(client):
    w = world()
    meeting = planned(w)
    first, second, third = ask(meeting), ask(meeting, "Same again"), ask(meeting, "Buy now!")
    signed_in(client, "officer_a")
    base = f"/police/meetings/{meeting.pk}/questions"

    assert (
        client.post(
            f"{base}/{first.pk}/publish/", {"status": "pending", "answer": "Yes."}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"{base}/{second.pk}/merge/", {"status": "pending", "merged_into": first.pk}
        ).status_code
        == 302
    )
    no_reason = client.post(f"{base}/{third.pk}/reject/", {"status": "pending"})
    assert no_reason.status_code == 400
    assert (
        client.post(
            f"{base}/{third.pk}/reject/", {"status": "pending", "reject_reason": "Spam"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"{base}/{first.pk}/answer/", {"status": "published", "answer": "Yes, in May."}
        ).status_code
        == 302
    )

    statuses = dict(Question.objects.values_list("pk", "status"))
    assert statuses == {
        first.pk: QuestionStatus.PUBLISHED,
        second.pk: QuestionStatus.MERGED,
        third.pk: QuestionStatus.REJECTED,
    }
    assert Question.objects.get(pk=first.pk).answer == "Yes, in May."
    page = client.get(f"/police/meetings/{meeting.pk}/")
    assert (
        'data-question-status="merged"' in page.text
        and 'data-question-status="rejected"' in page.text
    )


def test_moderating_from_a_stale_page_is_a_409(client):
    w = world()
    meeting = planned(w)
    question = ask(meeting)
    signed_in(client, "officer_a")
    url = f"/police/meetings/{meeting.pk}/questions/{question.pk}/publish/"
    assert client.post(url, {"status": "pending"}).status_code == 302
    again = client.post(url, {"status": "pending"})
    assert again.status_code == 409
    assert AuditEvent.objects.filter(entity="question", action="published").count() == 1


def test_a_question_of_another_meeting_is_a_404(client):
    w = world()
    meeting, other = planned(w), planned(w, title="Other")
    question = ask(other)
    signed_in(client, "officer_a")
    url = f"/police/meetings/{meeting.pk}/questions/{question.pk}/publish/"
    assert client.post(url, {"status": "pending"}).status_code == 404


def test_an_analyst_sees_a_meeting_but_cannot_moderate(client):
    from blisko.diagnosis.tests.diagnosis_data import analyst

    w = world()
    meeting = planned(w)
    question = ask(meeting)
    client.force_login(analyst())
    page = client.get(f"/police/meetings/{meeting.pk}/")
    assert page.status_code == 200 and "data-publish" not in page.text
    response = client.post(
        f"/police/meetings/{meeting.pk}/questions/{question.pk}/publish/", {"status": "pending"}
    )
    assert response.status_code == 403
    assert Question.objects.get(pk=question.pk).status == QuestionStatus.PENDING


# --- the back office ---------------------------------------------------------------------------


def test_an_administrator_reads_meetings_questions_and_presence_and_changes_none():
    w = world()
    meeting = planned(w)
    ask(meeting)
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw-12345678")
    client = logged_in(admin)
    for model in ("meeting", "question", "presenceday"):
        assert client.get(f"/admin/engagement/{model}/").status_code == 200
        assert client.get(f"/admin/engagement/{model}/add/").status_code == 403
    page = client.get(f"/admin/engagement/meeting/{meeting.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.text


def test_a_supervisor_sees_the_meetings_of_their_region_only_in_the_back_office():
    roles_sync()
    w = world()
    meeting = planned(w)
    w.supervisor_user.is_staff = True
    w.supervisor_user.save()
    w.supervisor_user.groups.add(Group.objects.get(name=SUPERVISOR))
    client = logged_in(w.supervisor_user)
    assert meeting.title in client.get("/admin/engagement/meeting/").text
    Meeting.objects.filter(pk=meeting.pk).update(area=AreaFactory())
    assert meeting.title not in client.get("/admin/engagement/meeting/").text
    assert client.get(f"/admin/engagement/meeting/{meeting.pk}/change/").status_code == 403
