"""The verification workflow: a report's status moves along ALLOWED_TRANSITIONS only.

submitted (green) → in_verification (yellow) → confirmed (red) or not_confirmed (grey);
confirmed → resolved (threat eliminated) or referred (passed to another body, named);
any open report (submitted, in verification, confirmed) → duplicate of another report.

Each move is one public service (`report_take_up`, `report_confirm`, ...) over one private
`_transition`, which locks the report, checks that the actor may act on it and that the table
allows the move, stamps the time, and writes a ReportEvent (the report's history: who, when,
from, to, note, photo) and an audit event. `report_add_note` adds a note or photo without a
move. `reports_escalate_overdue` (run by the `reports_escalate` command) escalates overdue
reports to the supervisors of their areas.

Why one module of over 400 lines: the verification workflow is one table of moves and one
service per move; keeping them together keeps the table the single truth.
"""

import datetime as dt
import io
import uuid
from collections import defaultdict
from typing import Any

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, ImageOps, UnidentifiedImageError

from blisko.core.clock import local_time
from blisko.core.exceptions import ApplicationError
from blisko.core.links import site_link
from blisko.core.services import Actor, audit_record
from blisko.officers.selectors.find import area_officers
from blisko.reports.models import CLOSED_STATUSES, Report, ReportEvent, Status
from blisko.reports.selectors.access import report_check_access
from blisko.reports.selectors.deadlines import reports_overdue
from blisko.territories.models import Country

# Every move the workflow allows, from → to. Closed statuses lead nowhere.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.SUBMITTED: frozenset({Status.IN_VERIFICATION, Status.DUPLICATE}),
    Status.IN_VERIFICATION: frozenset({Status.CONFIRMED, Status.NOT_CONFIRMED, Status.DUPLICATE}),
    Status.CONFIRMED: frozenset({Status.RESOLVED, Status.REFERRED, Status.DUPLICATE}),
    Status.NOT_CONFIRMED: frozenset(),
    Status.RESOLVED: frozenset(),
    Status.REFERRED: frozenset(),
    Status.DUPLICATE: frozenset(),
}

# ReportEvent.action of the events written here.
ACTION_STATUS = "status_changed"
ACTION_NOTE = "note"
ACTION_ESCALATED = "escalated"

NOTE_MAX = 2000
REFERRED_TO_MAX = 200
PHOTO_TYPES = {"image/jpeg": ("JPEG", "jpg"), "image/png": ("PNG", "png")}

# The language of messages to residents and officers of an area, by its country.
_COUNTRY_LANGUAGE: dict[str, str] = {Country.POLAND: "pl", Country.UKRAINE: "uk"}


# --- checks -------------------------------------------------------------------------------


def _user(actor: Actor) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _check_note(note: Any) -> str:
    if not isinstance(note, str):
        raise ApplicationError(_("The note must be text."), {"field": "note"})
    if len(note) > NOTE_MAX:
        raise ApplicationError(
            _("The note is longer than %(max)d characters.") % {"max": NOTE_MAX},
            {"field": "note"},
        )
    return note.strip()


def photo_clean(photo: Any) -> ContentFile | None:
    """The officer's photo re-encoded without metadata (location, camera), or None.

    Refuses (ApplicationError, field "photo") an empty file, one over the attachment size
    limit, and anything whose content is not a JPEG or PNG image, whatever its name says.
    """
    if photo is None:
        return None
    limit = settings.BLISKO_REPORT_MAX_ATTACHMENT_BYTES
    size = getattr(photo, "size", None)
    if size is not None and size > limit:
        raise ApplicationError(
            _("The photo is larger than %(max)d MB.") % {"max": limit // (1024 * 1024)},
            {"field": "photo"},
        )
    photo.seek(0)
    data = photo.read(limit + 1)
    if not data:
        raise ApplicationError(_("The photo is empty."), {"field": "photo"})
    if len(data) > limit:
        raise ApplicationError(
            _("The photo is larger than %(max)d MB.") % {"max": limit // (1024 * 1024)},
            {"field": "photo"},
        )
    kind = filetype.guess(data)
    if kind is None or kind.mime not in PHOTO_TYPES:
        raise ApplicationError(_("The photo must be a JPEG or PNG image."), {"field": "photo"})
    image_format, extension = PHOTO_TYPES[kind.mime]
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            clean = ImageOps.exif_transpose(image)
            clean.info = {}
            if image_format == "JPEG" and clean.mode not in ("RGB", "L"):
                clean = clean.convert("RGB")
            out = io.BytesIO()
            # Saved without exif, icc or text chunks: nothing but the pixels leaves.
            clean.save(out, format=image_format)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise ApplicationError(
            _("The photo could not be read as an image."), {"field": "photo"}
        ) from error
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")


def _status_label(status: str) -> str:
    return str(Status(status).label) if status in Status.values else status


def _refused(from_status: str, to_status: str) -> ApplicationError:
    return ApplicationError(
        _("A report that is “%(from)s” cannot become “%(to)s”.")
        % {"from": _status_label(from_status), "to": _status_label(to_status)},
        {
            "from": from_status,
            "to": to_status,
            "allowed": sorted(ALLOWED_TRANSITIONS.get(from_status, ())),
        },
    )


def report_moved_meanwhile(status: str) -> ApplicationError:
    """The refusal (409) of a move made on a report someone else has moved since the mover
    read it: two officers acting on one report at once, or a page left open."""
    return ApplicationError(
        _(
            "Someone else has just changed this report: it is now “%(status)s”. "
            "Nothing was changed by you; check the report and act again if needed."
        )
        % {"status": _status_label(status)},
        {"status": status},
        status=409,
    )


# --- notifications ------------------------------------------------------------------------


def _language_of(report: Report) -> str:
    """The language of the report's country (the police's)."""
    return _COUNTRY_LANGUAGE.get(report.area.country, settings.LANGUAGE_CODE)


def _reporter_language(report: Report) -> str:
    """The resident's own language when the report keeps it, else their country's."""
    return report.reporter_language or _language_of(report)


def _local(moment: dt.datetime | None, report: Report) -> str:
    """`moment` on the clock of the report's country (Warsaw time for Konin)."""
    if moment is None:
        return "—"
    return date_format(local_time(moment, country=report.area.country), "SHORT_DATETIME_FORMAT")


def _notify_reporter(report: Report, note: str) -> None:
    """Tell the reporter (if they left an e-mail) the report's new status. Sent after commit."""
    if not report.reporter_email:
        return
    with translation.override(_reporter_language(report)):
        subject = _("Your report %(code)s: %(status)s") % {
            "code": report.tracking_code,
            "status": _status_label(report.status),
        }
        lines = [
            _("The status of your report %(code)s is now: %(status)s.")
            % {"code": report.tracking_code, "status": _status_label(report.status)}
        ]
        if note:
            lines += ["", _("Note from the police:"), note]
        lines += [
            "",
            _("Follow your report here: %(url)s")
            % {"url": site_link("public:report-track", report.tracking_code)},
        ]
    message = EmailMessage(subject=subject, body="\n".join(lines), to=[report.reporter_email])
    transaction.on_commit(lambda: message.send(fail_silently=True))


# --- the transition -----------------------------------------------------------------------


def _transition(
    report: Report,
    actor: Actor,
    to: str,
    note: str = "",
    photo: Any = None,
    **fields: Any,
) -> Report:
    """Move `report` to status `to`, setting `fields` too; the one way a status changes.

    Preconditions: none (checked here): the actor may act on the report (else
    ApplicationError 403), the status stored now is still `report.status` as the caller read
    it (else ApplicationError 409: someone moved it meanwhile), and ALLOWED_TRANSITIONS allows
    the move from it (else ApplicationError naming both statuses). Call inside a transaction, or it opens
    its own. Effects: the row is locked; status, the move's timestamp (taken_up_at,
    verified_at, closed_at) and `fields` are saved (update_fields); a public ReportEvent and an
    audit event ("reports.report") record who, when, from, to, the note and the photo; the
    reporter is e-mailed after commit. `report` gets the new values and is returned.
    """
    note = _check_note(note)
    image = photo_clean(photo)
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        report_check_access(report=locked, user=actor)
        from_status = locked.status
        if from_status != report.status:
            # Another officer moved it between this caller's read and the lock.
            raise report_moved_meanwhile(from_status)
        if to not in ALLOWED_TRANSITIONS.get(from_status, frozenset()):
            raise _refused(from_status, to)
        now = timezone.now()
        changed = ["status", *fields]
        locked.status = to
        for name, value in fields.items():
            setattr(locked, name, value)
        if to == Status.IN_VERIFICATION:
            locked.taken_up_at = now
            changed.append("taken_up_at")
        if to in (Status.CONFIRMED, Status.NOT_CONFIRMED):
            locked.verified_at = now
            changed.append("verified_at")
        if to in CLOSED_STATUSES:
            locked.closed_at = now
            changed.append("closed_at")
        locked.save(update_fields=[*changed, "updated_at"])
        event = ReportEvent.objects.create(
            report=locked,
            actor=_user(actor),
            action=ACTION_STATUS,
            from_status=from_status,
            to_status=to,
            note=note,
            photo=image or "",
            is_public=True,
        )
        after: dict[str, Any] = {}
        for name in changed:
            value = getattr(locked, locked._meta.get_field(name).attname)  # type: ignore[union-attr]
            after[name] = value.isoformat() if isinstance(value, dt.datetime) else value
        audit_record(
            actor=actor,
            entity="reports.report",
            entity_id=locked.pk,
            action=ACTION_STATUS,
            before={"status": from_status},
            after={**after, "event": event.pk},
            note=note,
        )
        _notify_reporter(locked, note)
    for name in [*changed, "updated_at"]:
        setattr(report, name, getattr(locked, name))
    return report


# --- one public service per move ----------------------------------------------------------


def report_take_up(*, report: Report, actor: Actor, note: str = "") -> Report:
    """Take up a submitted report for verification: submitted → in_verification.

    Preconditions: the actor may act on the report; it is submitted. Effects: taken_up_at is
    set; a ReportEvent and an audit event are written (see _transition).
    """
    return _transition(report, actor, Status.IN_VERIFICATION, note)


def report_confirm(*, report: Report, actor: Actor, note: str = "", photo: Any = None) -> Report:
    """Confirm the threat after verification: in_verification → confirmed.

    Preconditions: the actor may act on the report; it is in verification; a photo, if
    given, is a JPEG or PNG within the size limit. Effects: verified_at is set; the event
    holds the note and the photo (re-encoded without metadata).
    """
    return _transition(report, actor, Status.CONFIRMED, note, photo)


def report_not_confirm(
    *, report: Report, actor: Actor, note: str = "", photo: Any = None
) -> Report:
    """Record that verification did not confirm the threat: in_verification → not_confirmed.

    Preconditions and effects as report_confirm; the report is closed (closed_at set) and
    leaves the public map after BLISKO_REPORT_NOT_CONFIRMED_PUBLIC_DAYS.
    """
    return _transition(report, actor, Status.NOT_CONFIRMED, note, photo)


def report_resolve(*, report: Report, actor: Actor, note: str = "", photo: Any = None) -> Report:
    """Record that the confirmed threat was eliminated: confirmed → resolved.

    Preconditions: the actor may act on the report; it is confirmed. Effects: closed_at is
    set; the event holds the note and the photo.
    """
    return _transition(report, actor, Status.RESOLVED, note, photo)


def report_refer(*, report: Report, actor: Actor, referred_to: str, note: str = "") -> Report:
    """Pass a confirmed report to another body (a road authority, a municipal service):
    confirmed → referred.

    Preconditions: `referred_to` names the body (1-200 characters); the actor may act on the
    report; it is confirmed. Effects: referred_to and closed_at are saved with the event.
    """
    body = referred_to.strip() if isinstance(referred_to, str) else ""
    if not body:
        raise ApplicationError(
            _("Name the body the report is passed to, for example the road authority."),
            {"field": "referred_to"},
        )
    if len(body) > REFERRED_TO_MAX:
        raise ApplicationError(
            _("The name of the body is longer than %(max)d characters.") % {"max": REFERRED_TO_MAX},
            {"field": "referred_to"},
        )
    return _transition(report, actor, Status.REFERRED, note, referred_to=body)


def _original_of(report: Report) -> Report:
    """The report at the end of `report`'s chain of duplicates (itself when it is none)."""
    seen = {report.pk}
    while report.duplicate_of_id is not None:
        report = Report.objects.get(pk=report.duplicate_of_id)
        if report.pk in seen:
            break
        seen.add(report.pk)
    return report


@transaction.atomic
def report_mark_duplicate(
    *, report: Report, actor: Actor, duplicate_of: Report, note: str = ""
) -> Report:
    """Mark an open report as a duplicate of another one: open → duplicate.

    Preconditions: `duplicate_of` is another report (not this one, and not a duplicate whose
    chain leads back to this one); the actor may act on both reports; this one is open. The
    category need not match. A duplicate of a duplicate is recorded as a duplicate of the
    original report at the end of that chain, so chains stay one step long.
    Effects: both rows are locked (in id order, so two opposite marks cannot cross);
    duplicate_of and closed_at are saved with the event.
    """
    if duplicate_of is None or duplicate_of.pk is None:
        raise ApplicationError(
            _("Choose the report this one duplicates."), {"field": "duplicate_of"}
        )
    # Lock both in id order, so that A → B and B → A at once cannot both pass the checks.
    list(
        Report.objects.select_for_update()
        .filter(pk__in=[report.pk, duplicate_of.pk])
        .order_by("pk")
        .values_list("pk")
    )
    original = _original_of(Report.objects.get(pk=duplicate_of.pk))
    if original.pk == report.pk:
        raise ApplicationError(
            _("A report cannot be a duplicate of itself."), {"field": "duplicate_of"}
        )
    report_check_access(report=original, user=actor)
    return _transition(report, actor, Status.DUPLICATE, note, duplicate_of=original)


@transaction.atomic
def report_add_note(
    *, report: Report, actor: Actor, note: str, photo: Any = None, is_public: bool = False
) -> Report:
    """Add an officer's note and/or photo to a report, without changing its status.

    Preconditions: the actor may act on the report (any status, closed too); the note or the
    photo is given; the note is at most 2,000 characters; the photo is a JPEG or PNG within
    the size limit. Effects: a ReportEvent ("note"; public only when `is_public`) and an
    audit event are written; the report's row is locked meanwhile.
    """
    text = _check_note(note)
    image = photo_clean(photo)
    if not text and image is None:
        raise ApplicationError(_("Write a note or add a photo."), {"field": "note"})
    locked = Report.objects.select_for_update().get(pk=report.pk)
    report_check_access(report=locked, user=actor)
    event = ReportEvent.objects.create(
        report=locked,
        actor=_user(actor),
        action=ACTION_NOTE,
        note=text,
        photo=image or "",
        is_public=bool(is_public),
    )
    audit_record(
        actor=actor,
        entity="reports.report",
        entity_id=locked.pk,
        action=ACTION_NOTE,
        after={"event": event.pk, "is_public": event.is_public, "photo": event.photo.name},
        note=text,
    )
    return report


# --- deadlines ----------------------------------------------------------------------------


def _escalation_message(reports: list[Report], to: list[str]) -> EmailMessage:
    with translation.override(_language_of(reports[0])):
        subject = ngettext(
            "%(count)d report in your areas is overdue",
            "%(count)d reports in your areas are overdue",
            len(reports),
        ) % {"count": len(reports)}
        lines = [
            _("These reports missed their deadline and were escalated to you:"),
            "",
        ]
        for report in reports:
            lines.append(
                _(
                    "%(code)s — %(category)s — %(area)s — %(status)s; take up by %(take_up)s, "
                    "verify by %(verify)s; officer: %(officer)s"
                )
                % {
                    "code": report.tracking_code,
                    "category": report.category.name,
                    "area": report.area.name,
                    "status": _status_label(report.status),
                    "take_up": _local(report.take_up_due_at, report),
                    "verify": _local(report.verify_due_at, report),
                    "officer": report.assigned_officer.full_name
                    if report.assigned_officer
                    else "—",
                }
            )
            lines.append("  " + site_link("reports:detail", report.tracking_code))
    return EmailMessage(subject=subject, body="\n".join(lines), to=to)


def _escalation_recipients(report: Report) -> list[str]:
    """The e-mails of the area's supervisors (their user accounts), else the unit's."""
    served = area_officers(area=report.area)
    emails = sorted(
        {
            card.officer.user.email
            for card in served.supervisors
            if not card.is_absent
            and card.officer.is_active
            and card.officer.user is not None
            and card.officer.user.email
        }
    )
    if emails:
        return emails
    unit = report.assigned_unit or served.unit
    return [unit.email] if unit is not None and unit.email else []


def reports_escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Escalate every overdue open report not escalated before; return how many were.

    Run by the scheduled `reports_escalate` command. Atomic. A report is escalated once only:
    escalated_at is set by a conditional update, so two runs at once cannot both escalate it
    (on PostgreSQL rows another run holds are skipped). Effects per report: escalated_at =
    `now` (the current time by default), a police-only ReportEvent ("escalated") and an audit
    event. After commit, each supervisor of the reports' areas (by their user account's
    e-mail; an area without one: its police unit's e-mail) gets one message listing theirs.
    """
    now = now or timezone.now()
    with transaction.atomic():
        candidates = reports_overdue(now=now).filter(escalated_at__isnull=True)
        ids = list(
            candidates.select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not ids:
            return 0
        Report.objects.filter(pk__in=ids, escalated_at__isnull=True).update(
            escalated_at=now, updated_at=timezone.now()
        )
        reports = list(
            Report.objects.filter(pk__in=ids, escalated_at=now)
            .select_related("category", "area", "assigned_officer", "assigned_unit")
            .order_by("take_up_due_at", "pk")
        )
        ReportEvent.objects.bulk_create(
            [
                ReportEvent(
                    report=report,
                    action=ACTION_ESCALATED,
                    from_status=report.status,
                    to_status=report.status,
                    is_public=False,
                )
                for report in reports
            ]
        )
        by_recipient: dict[str, list[Report]] = defaultdict(list)
        for report in reports:
            recipients = _escalation_recipients(report)
            audit_record(
                actor=None,
                entity="reports.report",
                entity_id=report.pk,
                action=ACTION_ESCALATED,
                after={"escalated_at": now.isoformat(), "to": recipients},
            )
            for email in recipients:
                by_recipient[email].append(report)
        messages = [
            _escalation_message(group, [email]) for email, group in sorted(by_recipient.items())
        ]
        transaction.on_commit(lambda: [m.send(fail_silently=True) for m in messages])
    return len(reports)
