"""Residents' questions: sending one (the honeypot, plain text only, the length limit, the
e-mail, a meeting no longer open, the daily limit per client since local midnight) and their
moderation along the table of moves (publish, answer, merge, reject), with the audit events."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from blisko.core.clock import local_midnight
from blisko.core.exceptions import ApplicationError
from blisko.core.models import AuditEvent
from blisko.engagement.models import Meeting, Question, QuestionStatus
from blisko.engagement.services import meetings as meeting_services
from blisko.engagement.services import questions as services
from blisko.engagement.tests.meetings_data import planned, started, world
from blisko.reports.rules import client_hash

pytestmark = pytest.mark.django_db

IP = "203.0.113.7"


def refusal(call, *args, **kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        call(*args, **kwargs)
    return caught.value


def ask(meeting: Meeting, text: str = "Will the crossing get a light?", **kwargs) -> Question:
    kwargs.setdefault("client_ip", IP)
    return services.question_submit(meeting=meeting, text=text, **kwargs)


# --- sending -----------------------------------------------------------------------------


def test_a_resident_sends_a_question_anonymously():
    w = world()
    meeting = planned(w)
    question = ask(meeting)
    assert question.status == QuestionStatus.PENDING and question.email == ""
    assert question.client_hash == client_hash(IP)
    event = AuditEvent.objects.get(entity="question", entity_id=str(question.pk))
    assert event.action == "submitted" and event.actor is None
    assert "crossing" not in str(event.after) and event.after["has_email"] is False


def test_a_resident_leaves_an_email_for_the_answer_which_the_audit_does_not_keep():
    w = world()
    question = ask(planned(w), email="olena@example.org", language="pl-PL")
    assert question.email == "olena@example.org" and question.language == "pl"
    event = AuditEvent.objects.get(entity="question")
    assert "olena" not in str(event.after)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("", "text"),
        ("   ", "text"),
        ("x" * 10_000, "text"),
        ("<a href='http://spam'>cheap</a>", "text"),
        ("Hi <b>there</b>", "text"),
    ],
)
def test_a_question_empty_too_long_or_with_html_is_refused(text, field):
    w = world()
    error = refusal(ask, planned(w), text=text)
    assert error.status == 400 and error.extra["field"] == field
    assert Question.objects.count() == 0
    assert not AuditEvent.objects.filter(entity="question").exists()


def test_a_question_of_ten_thousand_characters_says_the_limit():
    w = world()
    error = refusal(ask, planned(w), text="x" * 10_000)
    assert "1000" in error.message and "10000" in error.message


def test_a_lone_less_than_sign_is_not_html():
    w = world()
    assert ask(planned(w), text="Waiting < 5 minutes at the stop <3").pk


def test_an_invalid_email_is_refused():
    w = world()
    error = refusal(ask, planned(w), email="not-an-address")
    assert error.extra["field"] == "email"
    assert Question.objects.count() == 0


def test_a_filled_honeypot_is_refused_quietly():
    w = world()
    error = refusal(ask, planned(w), honeypot="http://spam.example")
    assert error.status == 400 and error.extra == {}
    assert "Reload the page" in error.message
    assert Question.objects.count() == 0


def test_questions_are_refused_once_the_meeting_has_started():
    w = world()
    error = refusal(ask, started(w))
    assert error.status == 409 and "already started" in error.message


def test_questions_are_refused_for_a_cancelled_meeting():
    w = world()
    meeting = planned(w)
    meeting_services.meeting_cancel(actor=w.officer_user, meeting=meeting, reason="Storm")
    error = refusal(ask, meeting)
    assert error.status == 409


def test_questions_are_refused_when_the_meeting_takes_none():
    w = world()
    error = refusal(ask, planned(w, accepts_questions=False))
    assert error.status == 409 and "does not take questions" in error.message


def test_the_fourth_question_of_the_day_from_one_client_is_refused_with_retry_after():
    w = world()
    meeting, other = planned(w), planned(w, title="Another")
    ask(meeting)
    ask(other)
    ask(meeting, text="A third one")
    error = refusal(ask, other, text="A fourth one")
    assert error.status == 429
    assert error.extra["limit"] == 3
    assert 0 < error.extra["retry_after"] <= 25 * 3600
    assert "3 questions today" in error.message
    assert Question.objects.count() == 3
    # Another client is not affected.
    assert ask(meeting, client_ip="198.51.100.1").pk


@override_settings(BLISKO_QUESTION_DAILY_LIMIT=1)
def test_the_daily_limit_starts_again_at_local_midnight_of_the_meetings_country():
    w = world()
    meeting = planned(w)
    now = timezone.now()
    ask(meeting, now=now)
    assert refusal(ask, meeting, now=now).status == 429
    # Yesterday's questions do not count (moved before today's local midnight in Kyiv).
    midnight = local_midnight(now, country=w.area.country)
    Question.objects.update(created_at=midnight - dt.timedelta(minutes=1))
    assert ask(meeting, now=now).pk


def test_the_retry_after_counts_to_local_midnight():
    w = world()
    meeting = planned(w)
    now = timezone.now()
    for i in range(3):
        ask(meeting, text=f"Question {i}", now=now)
    error = refusal(ask, meeting, now=now)
    tomorrow = local_midnight(now, country="UA") + dt.timedelta(days=1)
    assert abs(error.extra["retry_after"] - (tomorrow - now).total_seconds()) < 2


# --- moderation --------------------------------------------------------------------------


def test_the_table_of_moves():
    assert services.ALLOWED_TRANSITIONS["pending"] == frozenset({"published", "merged", "rejected"})
    assert all(
        not moves for status, moves in services.ALLOWED_TRANSITIONS.items() if status != "pending"
    )


def test_the_officer_publishes_a_question_with_an_answer():
    w = world()
    question = ask(planned(w))
    services.question_publish(actor=w.officer_user, question=question, answer="Yes, in May.")
    stored = Question.objects.get(pk=question.pk)
    assert stored.status == QuestionStatus.PUBLISHED and stored.answer == "Yes, in May."
    assert stored.moderated_by == w.officer_user and stored.moderated_at is not None
    event = AuditEvent.objects.get(entity="question", action="published")
    assert event.after == {"status": "published", "answered": True}


def test_a_supervisor_publishes_without_an_answer_and_answers_later_even_after_the_meeting():
    w = world()
    meeting = planned(w)
    question = ask(meeting)
    services.question_publish(actor=w.supervisor_user, question=question)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=2),
        ends_at=timezone.now() - dt.timedelta(days=2) + dt.timedelta(hours=1),
    )
    services.question_answer(actor=w.officer_user, question=question, answer="Done.")
    services.question_answer(actor=w.officer_user, question=question, answer="Done in May.")
    assert Question.objects.get(pk=question.pk).answer == "Done in May."
    actions = list(
        AuditEvent.objects.filter(entity="question").order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["submitted", "published", "answered", "answer_changed"]


def test_a_pending_question_cannot_be_answered_without_publishing():
    w = world()
    question = ask(planned(w))
    error = refusal(services.question_answer, actor=w.officer_user, question=question, answer="A")
    assert error.status == 409


def test_an_empty_or_html_answer_is_refused():
    w = world()
    question = ask(planned(w))
    services.question_publish(actor=w.officer_user, question=question)
    error = refusal(services.question_answer, actor=w.officer_user, question=question, answer=" ")
    assert error.extra["field"] == "answer"
    error = refusal(
        services.question_answer, actor=w.officer_user, question=question, answer="<i>x</i>"
    )
    assert error.extra["field"] == "answer"


def test_a_published_question_cannot_be_published_again_nor_rejected():
    w = world()
    question = ask(planned(w))
    services.question_publish(actor=w.officer_user, question=question)
    assert refusal(services.question_publish, actor=w.officer_user, question=question).status == 409
    error = refusal(services.question_reject, actor=w.officer_user, question=question, reason="x")
    assert error.status == 409


def test_a_duplicate_is_merged_into_a_pending_or_published_question():
    w = world()
    meeting = planned(w)
    first, second, third = ask(meeting), ask(meeting, text="Same"), ask(meeting, text="Again")
    services.question_merge(actor=w.officer_user, question=second, into=first)
    services.question_publish(actor=w.officer_user, question=first)
    services.question_merge(actor=w.officer_user, question=third, into=first)
    stored = Question.objects.get(pk=third.pk)
    assert stored.status == QuestionStatus.MERGED and stored.merged_into_id == first.pk
    event = AuditEvent.objects.filter(entity="question", action="merged").last()
    assert event.after == {"status": "merged", "merged_into": first.pk}


def test_a_question_is_not_merged_into_itself_a_merged_one_or_another_meetings():
    w = world()
    meeting = planned(w)
    first, second, third = ask(meeting), ask(meeting, text="b"), ask(meeting, text="c")
    other = ask(planned(w, title="Other"), text="d", client_ip="198.51.100.9")
    error = refusal(services.question_merge, actor=w.officer_user, question=first, into=first)
    assert error.extra["field"] == "merged_into" and "itself" in error.message
    services.question_merge(actor=w.officer_user, question=second, into=first)
    error = refusal(services.question_merge, actor=w.officer_user, question=third, into=second)
    assert error.status == 409 and error.extra["field"] == "merged_into"
    error = refusal(services.question_merge, actor=w.officer_user, question=third, into=other)
    assert "same meeting" in error.message
    assert refusal(services.question_merge, actor=w.officer_user, question=third, into=None)
    assert Question.objects.get(pk=third.pk).status == QuestionStatus.PENDING


def test_a_question_is_rejected_with_a_reason():
    w = world()
    question = ask(planned(w))
    services.question_reject(actor=w.officer_user, question=question, reason="Not about safety")
    stored = Question.objects.get(pk=question.pk)
    assert stored.status == QuestionStatus.REJECTED and stored.reject_reason == "Not about safety"
    assert AuditEvent.objects.get(entity="question", action="rejected").note == "Not about safety"


def test_rejecting_needs_a_reason():
    w = world()
    question = ask(planned(w))
    error = refusal(services.question_reject, actor=w.officer_user, question=question, reason="")
    assert error.extra["field"] == "reject_reason"
    assert Question.objects.get(pk=question.pk).status == QuestionStatus.PENDING


def test_an_officer_of_another_community_cannot_moderate():
    w = world()
    question = ask(planned(w))
    error = refusal(services.question_publish, actor=w.other_user, question=question)
    assert error.status == 403
    assert Question.objects.get(pk=question.pk).status == QuestionStatus.PENDING


def test_an_officer_taking_part_moderates_even_when_serving_elsewhere():
    w = world()
    meeting = planned(w, actor=w.supervisor_user, officers=[w.supervisor, w.officer])
    question = ask(meeting)
    services.question_publish(actor=w.officer_user, question=question)


def test_moderating_a_stale_copy_is_refused_with_409():
    w = world()
    question = ask(planned(w))
    stale = Question.objects.get(pk=question.pk)
    services.question_publish(actor=w.officer_user, question=question)
    error = refusal(services.question_reject, actor=w.supervisor_user, question=stale, reason="x")
    assert error.status == 409 and "Someone else" in error.message


# --- the answer by e-mail ----------------------------------------------------------------


def test_the_answer_is_emailed_once_to_the_sender_and_the_duplicates_then_their_addresses_erased(
    mailoutbox, django_capture_on_commit_callbacks
):
    w = world()
    meeting = planned(w)
    first = ask(meeting, email="olena@example.org", language="uk")
    twin = ask(meeting, text="Will the crossing get a light? Please!", email="marek@example.org")
    anonymous = ask(meeting, text="And the bus stop?")

    with django_capture_on_commit_callbacks(execute=True):
        services.question_merge(actor=w.officer_user, question=twin, into=first)
    assert mailoutbox == []  # nothing to answer yet
    with django_capture_on_commit_callbacks(execute=True):
        services.question_publish(actor=w.officer_user, question=first, answer="Yes, in May.")
    with django_capture_on_commit_callbacks(execute=True):
        services.question_publish(actor=w.officer_user, question=anonymous, answer="Soon.")

    assert sorted(m.to[0] for m in mailoutbox) == ["marek@example.org", "olena@example.org"]
    to_olena = next(m for m in mailoutbox if m.to == ["olena@example.org"])
    assert "Yes, in May." in to_olena.body and "Will the crossing get a light?" in to_olena.body
    assert str(meeting.uid) in to_olena.body
    assert set(Question.objects.values_list("email", flat=True)) == {""}

    with django_capture_on_commit_callbacks(execute=True):
        services.question_answer(actor=w.officer_user, question=first, answer="Yes, on 3 May.")
    assert len(mailoutbox) == 2  # the addresses are gone: no second message


def test_a_duplicate_merged_into_an_answered_question_gets_its_answer(
    mailoutbox, django_capture_on_commit_callbacks
):
    w = world()
    meeting = planned(w)
    first = ask(meeting)
    services.question_publish(actor=w.officer_user, question=first, answer="Yes, in May.")
    twin = ask(meeting, text="A light at the crossing?", email="marek@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        services.question_merge(actor=w.officer_user, question=twin, into=first)

    assert [m.to for m in mailoutbox] == [["marek@example.org"]]
    assert "A light at the crossing?" in mailoutbox[0].body and "Yes, in May." in mailoutbox[0].body


def test_a_rejected_questions_address_is_erased_and_nothing_is_sent(
    mailoutbox, django_capture_on_commit_callbacks
):
    w = world()
    question = ask(planned(w), email="olena@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        services.question_reject(actor=w.officer_user, question=question, reason="Off topic.")

    assert Question.objects.get(pk=question.pk).email == "" and mailoutbox == []


def test_a_refused_answer_sends_nothing_and_keeps_the_address(
    mailoutbox, django_capture_on_commit_callbacks
):
    w = world()
    question = ask(planned(w), email="olena@example.org")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ApplicationError):
        services.question_publish(actor=w.officer_user, question=question, answer="<b>Yes</b>")

    assert mailoutbox == [] and Question.objects.get(pk=question.pk).email == "olena@example.org"
