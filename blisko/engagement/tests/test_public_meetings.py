"""The public side of the meetings: a meeting's page (local time with its zone, the place, the
question form with its honeypot before the meeting, its refusals ready for translation, the
daily limit's 429; afterwards the decisions, the attendance and the published questions with
their answers, never an e-mail), and the calendar panel on the area's page and on the
find-officer result."""

import datetime as dt
import re

import pytest
from django.test import Client, override_settings
from django.utils import timezone, translation

from blisko.engagement.models import Meeting, Question, QuestionStatus
from blisko.engagement.services import meetings as meeting_services
from blisko.engagement.services import questions as question_services
from blisko.engagement.tests.meetings_data import local, planned, started, world

pytestmark = pytest.mark.django_db

EMAIL = "olena.resident@example.org"


def page(meeting: Meeting, client: Client | None = None, **headers):
    return (client or Client()).get(f"/meetings/{meeting.uid}/", **headers)


def send(meeting: Meeting, client: Client | None = None, **data):
    fields = {"text": "Will the crossing get a light?", "email": "", "website": ""}
    fields.update(data)
    return (client or Client()).post(f"/meetings/{meeting.uid}/questions/", fields)


def test_a_planned_meeting_shows_its_time_place_and_the_question_form():
    w = world()
    meeting = planned(w)
    response = page(meeting)
    assert response.status_code == 200
    text = response.text
    assert meeting.title in text and meeting.address in text
    assert local(w.area, 1, 18).strftime("%H:%M") in text
    assert "Europe/Kyiv" in text
    assert "data-question-form" in text
    assert 'name="website"' in text and 'class="meeting-trap"' in text
    assert "data-meeting-map" in text and 'data-lat="48.200000"' in text
    assert f'href="/calendar/{w.area.code}.ics"' in text
    assert f"webcal://testserver/calendar/{w.area.code}.ics" in text


def test_a_polish_meeting_shows_warsaw_time():
    w = world()
    meeting = planned(
        w,
        actor=w.polish_user,
        area=w.polish,
        lat=None,
        lon=None,
        starts_at=local(w.polish, 2, 17, 30),
        ends_at=local(w.polish, 2, 19),
    )
    text = page(meeting).text
    assert "Europe/Warsaw" in text and "17:30" in text


def test_an_unknown_meeting_is_a_404():
    assert Client().get("/meetings/6f1c9c3e-0000-4000-8000-000000000000/").status_code == 404
    assert Client().get("/meetings/not-a-uid/").status_code == 404


def test_a_resident_sends_a_question_and_is_thanked():
    w = world()
    meeting = planned(w)
    response = send(meeting, email=EMAIL)
    assert response.status_code == 302
    assert response["Location"] == f"/meetings/{meeting.uid}/?asked=1#questions"
    question = Question.objects.get()
    assert question.email == EMAIL and question.status == QuestionStatus.PENDING
    thanked = Client().get(f"/meetings/{meeting.uid}/?asked=1")
    assert "data-question-sent" in thanked.text
    assert EMAIL not in thanked.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<b>Now</b>", "must be plain text"),
        ("x" * 10_000, "longer than 1000 characters"),
        ("", "is required"),
    ],
)
def test_a_refused_question_comes_back_with_its_message_and_the_text_kept(text, expected):
    w = world()
    meeting = planned(w)
    response = send(meeting, text=text, email=EMAIL)
    assert response.status_code == 400
    assert 'data-field-error="text"' in response.text and expected in response.text
    assert "data-error-summary" in response.text
    assert f'value="{EMAIL}"' in response.text  # what was typed stays
    assert Question.objects.count() == 0


def test_the_refusal_is_translated():
    w = world()
    meeting = planned(w)
    with translation.override("uk"):
        response = send(meeting, Client(headers={"accept-language": "uk"}), text="<i>x</i>")
    assert response.status_code == 400
    # The message comes from gettext: in English when no catalogue has it yet, never a 500.
    assert 'data-field-error="text"' in response.text


def test_an_invalid_email_is_shown_on_its_field():
    w = world()
    response = send(planned(w), email="nope")
    assert response.status_code == 400 and 'data-field-error="email"' in response.text


def test_a_filled_honeypot_stores_nothing_and_says_little():
    w = world()
    response = send(planned(w), website="http://spam.example")
    assert response.status_code == 400 and "data-general-error" in response.text
    assert "Reload the page" in response.text
    assert Question.objects.count() == 0


@override_settings(BLISKO_QUESTION_DAILY_LIMIT=3)
def test_the_fourth_question_of_the_day_is_a_429_with_retry_after():
    w = world()
    meeting = planned(w)
    client = Client()
    for i in range(3):
        assert send(meeting, client, text=f"Question {i}").status_code == 302
    response = send(meeting, client, text="One more")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "3 questions today" in response.text
    assert "One more" in response.text
    assert Question.objects.count() == 3


def test_a_started_meeting_takes_no_more_questions():
    w = world()
    meeting = started(w)
    assert "data-question-form" not in page(meeting).text
    assert send(meeting).status_code == 409


def test_after_the_meeting_its_decisions_attendance_and_answers_are_shown_and_no_email():
    w = world()
    meeting = planned(w)
    published = question_services.question_submit(
        meeting=meeting, text="Lights on Shevchenka St?", email=EMAIL, client_ip="203.0.113.1"
    )
    duplicate = question_services.question_submit(
        meeting=meeting, text="Street lights please", client_ip="203.0.113.2"
    )
    pending = question_services.question_submit(
        meeting=meeting, text="Still waiting", client_ip="203.0.113.3"
    )
    rejected = question_services.question_submit(
        meeting=meeting, text="Buy cheap watches", client_ip="203.0.113.4"
    )
    question_services.question_publish(actor=w.officer_user, question=published)
    question_services.question_merge(actor=w.officer_user, question=duplicate, into=published)
    question_services.question_reject(actor=w.officer_user, question=rejected, reason="Spam")
    now = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=now - dt.timedelta(hours=3), ends_at=now - dt.timedelta(hours=2)
    )
    meeting.refresh_from_db()
    meeting_services.meeting_hold(
        actor=w.officer_user, meeting=meeting, attendance=27, decisions="Four new lamps by May."
    )
    question_services.question_answer(
        actor=w.officer_user, question=published, answer="The council buys four lamps."
    )

    text = page(meeting).text
    assert "data-question-form" not in text
    assert "Four new lamps by May." in text and "data-meeting-attendance" in text and "27" in text
    assert "Lights on Shevchenka St?" in text and "The council buys four lamps." in text
    assert 'data-duplicates="1"' in text
    for hidden in ("Still waiting", "Buy cheap watches", "Street lights please", EMAIL, "Spam"):
        assert hidden not in text
    assert pending.pk


def test_a_cancelled_meeting_shows_why():
    w = world()
    meeting = planned(w)
    meeting_services.meeting_cancel(
        actor=w.officer_user, meeting=meeting, reason="The hall flooded."
    )
    text = page(meeting).text
    assert "data-cancel-reason" in text and "The hall flooded." in text
    assert "data-question-form" not in text


# --- the calendar panel ------------------------------------------------------------------------


def test_the_area_page_lists_upcoming_and_past_meetings_and_links_the_calendar():
    w = world()
    soon = planned(w)
    beat = planned(w, actor=w.supervisor_user, area=w.beat, title="Walk on the beat")
    earlier = started(w, title="Last month's debate")
    Meeting.objects.filter(pk=earlier.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=30),
        ends_at=timezone.now() - dt.timedelta(days=30) + dt.timedelta(hours=1),
    )
    planned(w, actor=w.other_user, area=w.other, lat=None, lon=None, title="Elsewhere")
    text = Client().get(f"/area/{w.area.code}/").text

    upcoming = text.split("data-meetings-upcoming")[1].split("</ul>")[0]
    past = text.split("data-meetings-past")[1].split("</ul>")[0]
    assert (
        f'href="/meetings/{soon.uid}/"' in upcoming and f'href="/meetings/{beat.uid}/"' in upcoming
    )
    assert f'href="/meetings/{earlier.uid}/"' in past
    assert "Elsewhere" not in text
    assert f'href="/calendar/{w.area.code}.ics"' in text and "webcal://" in text


def test_the_panel_shows_at_most_five_of_each():
    w = world()
    for i in range(7):
        planned(
            w,
            title=f"Meeting {i}",
            starts_at=local(w.area, i + 1, 18),
            ends_at=local(w.area, i + 1, 19),
        )
    text = Client().get(f"/area/{w.area.code}/").text
    assert len(re.findall(r'data-meeting="[0-9a-f-]+"', text)) == 5
    assert "Meeting 0" in text and "Meeting 5" not in text


def test_an_area_without_meetings_says_so():
    w = world()
    text = Client().get(f"/area/{w.area.code}/").text
    assert 'data-meetings-empty="upcoming"' in text and "data-calendar-link" in text


def test_the_find_officer_result_lists_the_meetings_of_the_place():
    w = world()
    soon = planned(w)
    response = Client().get("/officer/?lat=48.2&lon=24.0")
    assert response.status_code == 200
    assert f'href="/meetings/{soon.uid}/"' in response.text
    assert "data-calendar-link" in response.text
