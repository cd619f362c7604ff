"""Residents' questions before a meeting, and their moderation.

A resident sends a question (`question_submit`, the public door: anonymous, or with an e-mail
for the answer that is never shown publicly) while the meeting is planned, accepts questions
and has not yet started. A form field people never see (the honeypot) filled in is a robot's:
refused quietly. One client (the keyed hash of its address, as for reports) sends at most
BLISKO_QUESTION_DAILY_LIMIT questions a day, counted since local midnight of the meeting's
country; on PostgreSQL the client's submissions are serialised by an advisory lock, so that
parallel requests cannot all pass the limit (SQLite writes one transaction at a time).

The meeting's officers, the officers serving its area and its supervisors moderate along
ALLOWED_TRANSITIONS: pending → published (with an optional answer), merged into another
question of the meeting (a duplicate), or rejected with a reason. A published question's answer
may be written or replaced at any time, also after the meeting. Each step is one audit event
(entity "question"); none holds the sender's e-mail or text.

The e-mail is kept only until it has been used: when a question gets its answer (published
with one, or answered later), the answer is e-mailed after commit to the sender and to the
senders of the questions merged into it, and their addresses are erased in the same
transaction; a rejected question's address is erased at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from blisko.core.checks import refused, text_value
from blisko.core.clock import local_midnight
from blisko.core.exceptions import ApplicationError
from blisko.core.links import site_link
from blisko.core.services import Actor, audit_record, full_clean
from blisko.core.text import site_language
from blisko.engagement.models import Meeting, MeetingStatus, Question, QuestionStatus
from blisko.engagement.selectors.access import officer_may_manage
from blisko.plans.selectors.access import officer_of
from blisko.reports import rules

S = QuestionStatus
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.PUBLISHED, S.MERGED, S.REJECTED}),
    S.PUBLISHED: frozenset(),
    S.MERGED: frozenset(),
    S.REJECTED: frozenset(),
}
ENTITY = "question"
EMAIL_MAX = 254
ANSWER_MAX = 4000
REASON_MAX = 300
# Namespace of the PostgreSQL advisory locks that serialise one client's questions ("QU").
_QUESTION_LIMIT_LOCK = 0x5155


def _label(status: str) -> str:
    return str(QuestionStatus(status).label) if status in QuestionStatus.values else status


# --- sending a question --------------------------------------------------------------------


def _email(value: Any) -> str:
    email = value.strip() if isinstance(value, str) else ""
    if not email:
        return ""
    try:
        if len(email) > EMAIL_MAX:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        raise refused(_("Enter a valid e-mail address, or leave it empty."), "email") from None
    return email


def _lock_client(client_hash: str) -> None:
    """Serialise the client's questions until the transaction ends (see the module's text).
    PostgreSQL only: SQLite writes one transaction at a time anyway (BEGIN IMMEDIATE)."""
    if connection.vendor != "postgresql" or not client_hash:
        return
    # A transaction-level advisory lock (released at COMMIT/ROLLBACK) on (namespace, 32 bits
    # of the key's SHA-256 as a signed int4): no table lock, no row to contend on.
    digest = hashlib.sha256(client_hash.encode()).digest()
    key = int.from_bytes(digest[:4], "big") - 2**31
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_QUESTION_LIMIT_LOCK, key])


def _daily_limit_refusal(
    client_hash: str, now: dt.datetime, *, country: str
) -> ApplicationError | None:
    """The refusal (429, with the seconds until the next local day) of a client over the
    daily limit, or None. Call inside the transaction, after `_lock_client`."""
    limit = settings.BLISKO_QUESTION_DAILY_LIMIT
    if limit <= 0 or not client_hash:
        return None
    midnight = local_midnight(now, country=country)
    sent = Question.objects.filter(client_hash=client_hash, created_at__gte=midnight).count()
    if sent < limit:
        return None
    tomorrow = local_midnight(midnight + dt.timedelta(days=1, hours=2), country=country)
    return ApplicationError(
        ngettext(
            "You have already sent %(limit)d question today, the most one connection may "
            "send in a day. You can send the next one tomorrow.",
            "You have already sent %(limit)d questions today, the most one connection may "
            "send in a day. You can send the next one tomorrow.",
            limit,
        )
        % {"limit": limit},
        {"limit": limit, "retry_after": max(1, int((tomorrow - now).total_seconds()))},
        status=429,
    )


def _open_for_questions(meeting: Meeting, now: dt.datetime) -> None:
    if meeting.status != MeetingStatus.PLANNED:
        raise refused(
            _("This meeting is “%(status)s”: it no longer takes questions.")
            % {"status": meeting.get_status_display()},
            "meeting",
            status=409,
        )
    if not meeting.accepts_questions:
        raise refused(_("This meeting does not take questions in advance."), "meeting", status=409)
    if meeting.starts_at <= now:
        raise refused(
            _("This meeting has already started: questions are sent before it."),
            "meeting",
            status=409,
        )


def question_submit(
    *,
    meeting: Meeting,
    text: str,
    email: str = "",
    language: str = "",
    client_ip: str | None,
    honeypot: str = "",
    now: dt.datetime | None = None,
) -> Question:
    """A resident's question to a meeting (the public door).

    Preconditions: the honeypot is empty (else refused quietly); the meeting is planned,
    takes questions and has not started; the text is 1 to BLISKO_QUESTION_MAX characters of
    plain text (no HTML); the e-mail, if given, is valid; the client sent fewer than
    BLISKO_QUESTION_DAILY_LIMIT questions since local midnight (else 429 with `retry_after`
    seconds in `extra`). Effects: the question (pending) and an audit event "submitted"
    (without the text or the e-mail)."""
    now = now or timezone.now()
    if isinstance(honeypot, str) and honeypot.strip():
        # A form field people never see was filled in: a robot. Say nothing about why.
        raise ApplicationError(
            _("The question could not be accepted. Reload the page and send it again."), {}
        )
    _open_for_questions(meeting, now)
    body = text_value(
        text,
        field="text",
        label=_("The question"),
        max_length=settings.BLISKO_QUESTION_MAX,
        plain=True,
    )
    address = _email(email)
    client_hash = rules.client_hash(client_ip) if client_ip else ""
    with transaction.atomic():
        _lock_client(client_hash)
        current = Meeting.objects.only("status", "accepts_questions", "starts_at").get(
            pk=meeting.pk
        )
        _open_for_questions(current, now)
        refusal = _daily_limit_refusal(client_hash, now, country=meeting.area.country)
        if refusal is not None:
            raise refusal
        question = Question(
            meeting=meeting,
            text=body,
            email=address,
            language=(site_language(language) or "") if address else "",
            client_hash=client_hash,
        )
        full_clean(question)
        question.save()
        audit_record(
            actor=None,
            entity=ENTITY,
            entity_id=question.pk,
            action="submitted",
            after={"meeting": meeting.pk, "status": question.status, "has_email": bool(address)},
        )
    return question


# --- moderation ----------------------------------------------------------------------------


def question_moved_meanwhile(status: str) -> ApplicationError:
    """The refusal (409) of a step on a question someone else moderated since the caller
    read it."""
    return ApplicationError(
        _(
            "Someone else has just moderated this question: it is now “%(status)s”. Nothing "
            "was changed by you."
        )
        % {"status": _label(status)},
        {"status": status},
        status=409,
    )


def _answer(value: Any, *, required: bool) -> str:
    return text_value(
        value,
        field="answer",
        label=_("The answer"),
        max_length=ANSWER_MAX,
        required=required,
        plain=True,
    )


def _locked(question: Question, actor: Actor) -> Question:
    """The question locked for the transaction, checked unchanged (409) and in the actor's
    reach (403). Call inside `transaction.atomic()`."""
    locked = (
        Question.objects.select_for_update().select_related("meeting__area").get(pk=question.pk)
    )
    if locked.status != question.status:
        raise question_moved_meanwhile(locked.status)
    if actor is not None and not officer_may_manage(
        officer=officer_of(actor), meeting=locked.meeting
    ):
        raise refused(
            _(
                "Only the meeting's officers and those serving or supervising its area "
                "moderate its questions."
            ),
            "status",
            status=403,
        )
    return locked


def _stamp(locked: Question, actor: Actor) -> None:
    locked.moderated_by = actor if getattr(actor, "is_authenticated", False) else None  # type: ignore[assignment]
    locked.moderated_at = timezone.now()


def _transition(
    question: Question, actor: Actor, to: str, note: str = "", **fields: Any
) -> Question:
    """Move `question` to `to` (see the module's text); `question.status` is what the caller
    read."""
    with transaction.atomic():
        if to == S.MERGED:
            # Both rows, in the order of their ids: two merges of a pair in opposite
            # directions wait for each other instead of deadlocking.
            pair = {question.pk, fields["merged_into"].pk}
            list(Question.objects.select_for_update().filter(pk__in=pair).order_by("pk"))
        locked = _locked(question, actor)
        if to not in ALLOWED_TRANSITIONS.get(locked.status, frozenset()):
            raise ApplicationError(
                _("A question that is “%(from)s” cannot become “%(to)s”.")
                % {"from": _label(locked.status), "to": _label(to)},
                {"from": locked.status, "to": to},
                status=409,
            )
        if to == S.MERGED:
            into = fields["merged_into"]
            target = Question.objects.get(pk=into.pk)
            if target.pk == locked.pk:
                raise refused(_("A question cannot be merged into itself."), "merged_into")
            if target.meeting_id != locked.meeting_id:
                raise refused(
                    _("A question can be merged only into another question of the same meeting."),
                    "merged_into",
                )
            if target.status not in (S.PENDING, S.PUBLISHED):
                raise refused(
                    _(
                        "A question can be merged only into a pending or published one, not into one “%(status)s”."
                    )
                    % {"status": _label(target.status)},
                    "merged_into",
                    status=409,
                )
        before = {"status": locked.status}
        locked.status = to
        for name, value in fields.items():
            setattr(locked, name, value)
        _stamp(locked, actor)
        full_clean(locked)
        locked.save(update_fields=["status", *fields, "moderated_by", "moderated_at"])
        after: dict[str, Any] = {"status": to}
        if to == S.MERGED:
            after["merged_into"] = fields["merged_into"].pk
        if "answer" in fields:
            after["answered"] = bool(fields["answer"])
        audit_record(
            actor=actor,
            entity=ENTITY,
            entity_id=locked.pk,
            action=to,
            before=before,
            after=after,
            note=note,
        )
    for name in ("status", *fields, "moderated_by_id", "moderated_at"):
        setattr(question, name, getattr(locked, name))
    return question


_COUNTRY_LANGUAGE = {"UA": "uk", "PL": "pl"}


def _answer_mail(question_id: int) -> None:
    """E-mail a question's answer to its sender and to the senders of the questions merged
    into it, then forget their addresses. Call inside the transaction that saved the
    answer; the messages leave after commit (a rolled-back answer sends nothing)."""
    answered = Question.objects.select_related("meeting__area").get(pk=question_id)
    if not answered.answer:
        return
    rows = list(
        Question.objects.select_for_update()
        .filter(Q(pk=question_id) | Q(merged_into_id=question_id))
        .exclude(email="")
        .order_by("pk")
    )
    if not rows:
        return
    meeting = answered.meeting
    url = site_link("public:meeting", meeting.uid)
    messages = []
    for row in rows:
        language = row.language or _COUNTRY_LANGUAGE.get(meeting.area.country, "en")
        with translation.override(language):
            subject = _("The answer to your question for “%(meeting)s”") % {
                "meeting": meeting.title
            }
            body = "\n".join(
                [
                    _("You asked:"),
                    row.text,
                    "",
                    _("The police answered:"),
                    answered.answer,
                    "",
                    _("The meeting's page: %(url)s") % {"url": url},
                    "",
                    _("Your e-mail address was used for this answer only and is now erased."),
                ]
            )
        messages.append(EmailMessage(subject=subject, body=body, to=[row.email]))
    Question.objects.filter(pk__in=[r.pk for r in rows]).update(email="")
    transaction.on_commit(lambda: [m.send(fail_silently=True) for m in messages])


def question_publish(*, actor: Actor, question: Question, answer: str = "") -> Question:
    """Publish a pending question, with an answer or without one yet: pending → published.

    Preconditions: the actor moderates the meeting's questions; the answer, if given, is
    plain text of at most 4,000 characters. Effects: shown with the meeting on its public
    page (never the sender's e-mail); an audit event "published"; with an answer, the answer
    e-mailed to those who asked (see the module's text)."""
    text = _answer(answer, required=False)
    with transaction.atomic():
        published = _transition(question, actor, S.PUBLISHED, answer=text)
        _answer_mail(published.pk)
    return published


def question_answer(*, actor: Actor, question: Question, answer: str) -> Question:
    """Write or replace the answer of a published question, at any time (also after the
    meeting).

    Preconditions: the question is published; the actor moderates the meeting's questions;
    the answer is plain text, 1 to 4,000 characters. Effects: the answer saved; an audit
    event "answered" (a replaced answer: "answer_changed")."""
    text = _answer(answer, required=True)
    with transaction.atomic():
        locked = _locked(question, actor)
        if locked.status != S.PUBLISHED:
            raise refused(
                _("Only a published question is answered; this one is “%(status)s”.")
                % {"status": _label(locked.status)},
                "answer",
                status=409,
            )
        action = "answer_changed" if locked.answer else "answered"
        before = {"answer_length": len(locked.answer)}
        locked.answer = text
        _stamp(locked, actor)
        locked.save(update_fields=["answer", "moderated_by", "moderated_at"])
        audit_record(
            actor=actor,
            entity=ENTITY,
            entity_id=locked.pk,
            action=action,
            before=before,
            after={"answer_length": len(text)},
        )
        _answer_mail(locked.pk)
    question.answer = locked.answer
    question.moderated_by_id = locked.moderated_by_id
    question.moderated_at = locked.moderated_at
    return question


def question_merge(*, actor: Actor, question: Question, into: Question) -> Question:
    """Merge a pending question into another of the same meeting that is pending or
    published (a duplicate): pending → merged.

    Preconditions: not into itself, nor into a merged or rejected question. Effects: the
    public page counts it with the question it was merged into; an audit event "merged"; when
    that one is answered already, the answer is e-mailed to this one's sender too."""
    if into is None:
        raise refused(_("Choose the question it repeats."), "merged_into")
    with transaction.atomic():
        merged = _transition(question, actor, S.MERGED, merged_into=into)
        _answer_mail(into.pk)
    return merged


def question_reject(*, actor: Actor, question: Question, reason: str) -> Question:
    """Reject a pending question, saying why (kept for the police, never shown):
    pending → rejected. Effects: the reason saved, the sender's e-mail erased; an audit event
    "rejected" with the reason."""
    reason = text_value(
        reason,
        field="reject_reason",
        label=_("The reason for rejecting"),
        max_length=REASON_MAX,
        plain=True,
    )
    return _transition(question, actor, S.REJECTED, reason, reject_reason=reason, email="")
