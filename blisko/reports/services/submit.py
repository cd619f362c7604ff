"""Submitting a report: the one door every resident's report comes through (page, API, Open311).

`report_submit` checks everything first — the honeypot, each field, every file (read and
re-encoded in memory), and that the place lies in a territory — then, in one transaction,
applies the per-client daily limit and writes the report, its first event and its files.
On any failure nothing stays behind: no row, and no stored file (the files written are
deleted when the transaction fails).

A retried submission never makes a second report: with the same idempotency key the first
report is returned, also when the two requests race (the unique constraint on
`Report.idempotency_key` decides, and the loser returns the winner's report).

A report counts against its client's daily limit under the client's key (`client_hash`):
by default the keyed hash of its address; a caller that knows its clients better (Open311:
a key holder's residents) passes its own key and `DailyLimit`s.

Why one module of over 400 lines: the submission path in the order it runs (checks, limits,
idempotency, the write), so the hottest write Blisko has reads top to bottom; `make bench`
measures it.
"""

import contextlib
import datetime as dt
import functools
import hashlib
import ipaddress
import math
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ParamSpec

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from blisko.core.clock import local_midnight
from blisko.core.exceptions import ApplicationError
from blisko.core.geo import make_point, parse_lat_lon
from blisko.core.models import AuditEvent
from blisko.core.services import audit_record
from blisko.core.text import site_language
from blisko.reports import rules
from blisko.reports.models import Category, Report, ReportEvent, Status
from blisko.reports.selectors.categories import category_by_code
from blisko.reports.services import submit_insert
from blisko.reports.services.attachments import (
    AttachmentError,
    CheckedFile,
    attachment_store,
    attachments_check,
)
from blisko.reports.services.routing import Routing, report_route

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

# Unambiguous letters and digits (no 0/O, 1/I/L), as bulk imports use: a code read aloud
# over the phone survives. 12 of 31 symbols: about 59 bits, never guessed.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12
ACTION_SUBMITTED = "submitted"
# A resident's clock may run a little ahead of the server's.
OCCURRED_AT_SKEW = dt.timedelta(minutes=5)
IDEMPOTENCY_KEY_MAX = 100
EMAIL_MAX = 254
# Namespace of the PostgreSQL advisory locks that serialise the submissions of one client
# (or of one group of clients with a daily limit of its own).
_DAILY_LIMIT_LOCK = 0x5245
# What a caller's own client key may hold (see `_sent_since` for why only these).
_CLIENT_KEY = re.compile(r"[0-9a-z]{1,64}")
# The refusal of a client (a connection) over BLISKO_REPORT_DAILY_LIMIT.
CONNECTION_LIMIT_MESSAGE = ngettext_lazy(
    "You have already sent %(limit)d report today, the most one connection may "
    "send in a day. You can send the next one tomorrow; if it cannot wait, call "
    "your officer or, in an emergency, 112.",
    "You have already sent %(limit)d reports today, the most one connection may "
    "send in a day. You can send the next one tomorrow; if it cannot wait, call "
    "your officer or, in an emergency, 112.",
    "limit",
)
# A tracking code colliding with an existing one is a once-in-the-universe event; retry.
_CODE_ATTEMPTS = 3

P = ParamSpec("P")


@dataclass(frozen=True)
class Submission:
    """The outcome of a submission: the report, and whether this call created it (False when
    an earlier submission with the same idempotency key is returned instead)."""

    report: Report
    created: bool


@dataclass(frozen=True)
class DailyLimit:
    """At most `limit` reports a day (since local midnight) from the clients whose key
    (`Report.client_hash`) starts with `prefix`: one client when `prefix` is its whole key,
    a group of clients (the residents of one Open311 API key) when it is a leading part.

    `message` is the refusal: a plural text (`ngettext_lazy(singular, plural, "limit")`)
    with %(limit)d. A limit of 0 or less is no limit.
    """

    prefix: str
    limit: int
    message: "StrPromise | str"


@dataclass
class _Checked:
    """Everything a submission holds once it is valid."""

    category: Category
    lon: float
    lat: float
    description: str
    occurred_at: dt.datetime | None
    reporter_email: str
    reporter_language: str | None
    files: list[CheckedFile]
    routing: Routing
    idempotency_key: str | None


def tracking_code_new() -> str:
    """A fresh random tracking code, shown and stored as "XXXX-XXXX-XXXX"."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _text(value: Any) -> str:
    """Text as typed, with Windows line ends folded and NUL characters (which PostgreSQL
    cannot store) dropped; HTML stays text, and is escaped wherever it is shown."""
    if value is None:
        return ""
    return str(value).replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _add(errors: dict[str, list[str]], name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _category(code: Any, errors: dict[str, list[str]]) -> Category | None:
    code = _text(code)
    if not code:
        _add(errors, "category", _("Choose a category."))
        return None
    found = category_by_code(code=code)
    if found is None:
        _add(errors, "category", _("There is no category “%(code)s”.") % {"code": code[:64]})
        return None
    if not found.is_active:
        _add(
            errors,
            "category",
            _("The category “%(name)s” is no longer used. Choose another one.")
            % {"name": found.name},
        )
        return None
    return found


def _occurred_at(value: Any, now: dt.datetime, errors: dict[str, list[str]]) -> dt.datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    moment: dt.datetime | None
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = parse_datetime(str(value).strip())
        except ValueError:
            moment = None
    if moment is None:
        _add(errors, "occurred_at", _("The time of the event is not a valid date and time."))
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > now + OCCURRED_AT_SKEW:
        _add(errors, "occurred_at", _("The time of the event cannot be in the future."))
        return None
    return moment


def _email(value: Any, errors: dict[str, list[str]]) -> str:
    email = _text(value)
    if not email:
        return ""
    try:
        if len(email) > EMAIL_MAX:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        _add(errors, "email", _("Enter a valid e-mail address, or leave it empty."))
        return ""
    return email


def _idempotency_key(value: Any, errors: dict[str, list[str]]) -> str | None:
    key = _text(value)
    if not key:
        return None
    if len(key) > IDEMPOTENCY_KEY_MAX or not all("!" <= char <= "~" for char in key):
        _add(
            errors,
            "idempotency_key",
            _(
                "The idempotency key must be at most %(max)d visible ASCII characters "
                "(a UUID is a good key)."
            )
            % {"max": IDEMPOTENCY_KEY_MAX},
        )
        return None
    return key


def _refusal(errors: dict[str, list[str]]) -> ApplicationError:
    """One refusal naming every field that failed: the first field in "field", all of them
    with their messages in "fields"."""
    messages = [message for field_messages in errors.values() for message in field_messages]
    return ApplicationError(
        " ".join(messages), {"field": next(iter(errors)), "fields": dict(errors)}
    )


def _check(
    *,
    category_code: Any,
    lon: Any,
    lat: Any,
    description: Any,
    occurred_at: Any,
    reporter_email: Any,
    reporter_language: str,
    files: Sequence[UploadedFile],
    idempotency_key: Any,
    now: dt.datetime,
) -> _Checked:
    """Every check that needs no write, with all the refusals at once."""
    errors: dict[str, list[str]] = {}
    category = _category(category_code, errors)
    point: tuple[float, float] | None = None
    if not _text(lat) and not _text(lon):
        _add(
            errors, "location", _("Mark the place on the map, or give its latitude and longitude.")
        )
    else:
        try:
            point = parse_lat_lon(lat, lon)
        except ApplicationError as error:
            _add(errors, "location", error.message)
    text = _text(description)
    limit = settings.BLISKO_REPORT_DESCRIPTION_MAX
    if len(text) > limit:
        _add(
            errors,
            "description",
            ngettext(
                "The description can be at most %(limit)d character long; it has %(count)d.",
                "The description can be at most %(limit)d characters long; it has %(count)d.",
                limit,
            )
            % {"limit": limit, "count": len(text)},
        )
    moment = _occurred_at(occurred_at, now, errors)
    email = _email(reporter_email, errors)
    key = _idempotency_key(idempotency_key, errors)
    checked_files: list[CheckedFile] = []
    try:
        checked_files = attachments_check(files=list(files or ()))
    except AttachmentError as error:
        _add(errors, "files", error.message)
    routing: Routing | None = None
    if point is not None and category is not None:
        try:
            routing = report_route(
                lon=point[0], lat=point[1], category=category, on=timezone.localdate(now)
            )
        except ApplicationError as error:
            _add(errors, "location", error.message)
    if errors:
        raise _refusal(errors)
    assert category is not None and point is not None and routing is not None  # noqa: S101
    return _Checked(
        category=category,
        lon=point[0],
        lat=point[1],
        description=text,
        occurred_at=moment,
        reporter_email=email,
        reporter_language=site_language(reporter_language) if email else None,
        files=checked_files,
        routing=routing,
        idempotency_key=key,
    )


def _stored_ip(client_ip: str | None) -> str | None:
    """The address as the database stores it, or None when it is not an IP address."""
    if not client_ip:
        return None
    try:
        return str(ipaddress.ip_address(client_ip.strip()))
    except ValueError:
        return None


def _lock_client(limits: Sequence[DailyLimit]) -> None:
    """Serialise the client's submissions (and its group's, for a group limit) until the
    transaction ends, so that parallel requests cannot all pass a daily limit. PostgreSQL
    only: SQLite writes one transaction at a time anyway."""
    if connection.vendor != "postgresql":
        return
    # Transaction-level advisory locks (released at COMMIT/ROLLBACK) on (namespace, 32 bits
    # of the prefix's SHA-256 as a signed int4): no table lock, no row to contend on. Taken
    # in one order everywhere, so two submissions never wait for each other's second lock.
    prefixes = sorted({limit.prefix for limit in limits if limit.limit > 0})
    with connection.cursor() as cursor:
        for prefix in prefixes:
            digest = hashlib.sha256(prefix.encode()).digest()
            key = int.from_bytes(digest[:4], "big") - 2**31
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_DAILY_LIMIT_LOCK, key])


def _sent_since(prefix: str, client_hash: str, midnight: dt.datetime) -> int:
    """How many reports the clients whose key starts with `prefix` sent since `midnight`.

    Written out rather than `.filter(...).count()`: it runs on every submission, and the
    ORM's aggregate machinery cost several times the query itself. The SQL is the ORM's
    (the same on both engines, the time adapted as the ORM adapts it), so it uses
    report_client_day_idx (client_hash, created_at) just the same.
    """
    ops = connection.ops
    table = ops.quote_name(Report._meta.db_table)
    key, created = ops.quote_name("client_hash"), ops.quote_name("created_at")
    since = ops.adapt_datetimefield_value(midnight)
    if prefix == client_hash:
        condition, params = f"{key} = %s", [prefix, since]
    else:
        # A leading part: the keys from it up to it + "z". Keys are lowercase ASCII letters
        # and digits, so every key starting with it sorts there in any collation; unlike
        # LIKE 'x%', the range can use report_client_day_idx whatever the collation is.
        condition, params = f"{key} >= %s AND {key} < %s", [prefix, prefix + "z", since]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} WHERE {condition} AND {created} >= %s",  # noqa: S608
            params,
        )
        return int(cursor.fetchone()[0])


def _daily_limit_refusal(
    limits: Sequence[DailyLimit], client_hash: str, now: dt.datetime, *, country: str
) -> ApplicationError | None:
    """The refusal (429, with the limit's message) of a submission over any of `limits`, in
    their order, or None: the day is that of `country` (the report's area), so a resident in
    Konin starts a new day at midnight in Warsaw, not in Kyiv. Call inside the transaction,
    after `_lock_client`."""
    midnight = local_midnight(now, country=country)
    for limit in limits:
        if limit.limit <= 0 or _sent_since(limit.prefix, client_hash, midnight) < limit.limit:
            continue
        tomorrow = local_midnight(midnight + dt.timedelta(days=1, hours=2), country=country)
        return ApplicationError(
            str(limit.message % {"limit": limit.limit}),
            {
                "limit": limit.limit,
                "retry_after": max(1, int((tomorrow - now).total_seconds())),
            },
            status=429,
        )
    return None


def _by_key(key: str) -> Report | None:
    return Report.objects.select_related("category", "area").filter(idempotency_key=key).first()


def _same_payload(report: Report, checked: _Checked) -> bool:
    """Whether `checked` is the submission that made `report` (a retry), not another one."""
    hashes = sorted(report.attachments.values_list("sha256", flat=True))
    return (
        report.category_id == checked.category.pk
        and math.isclose(report.location.x, checked.lon, abs_tol=1e-9)
        and math.isclose(report.location.y, checked.lat, abs_tol=1e-9)
        and report.description == checked.description
        and report.occurred_at == checked.occurred_at
        and report.reporter_email == checked.reporter_email
        and hashes == sorted(item.sha256 for item in checked.files)
    )


def _replay(report: Report, checked: _Checked) -> Submission:
    if not _same_payload(report, checked):
        raise ApplicationError(
            _(
                "This idempotency key was already used for a different report. Use a new key "
                "for a new report."
            ),
            {"field": "idempotency_key"},
            status=422,
        )
    return Submission(report=report, created=False)


def _delete_files(names: list[str]) -> None:
    for name in names:
        # Already gone, or the storage is down: nothing more can be done here.
        with contextlib.suppress(OSError):
            default_storage.delete(name)
    names.clear()


def _audit_fields(report: Report, checked: _Checked) -> dict[str, Any]:
    """The audit event of a new report: where it went; nothing personal (no e-mail, no
    address). Its entity_id is the report's id, known once the report is written."""
    routing = checked.routing
    return {
        "actor": None,
        "entity": "reports.report",
        "entity_id": "" if report.pk is None else str(report.pk),
        "action": ACTION_SUBMITTED,
        "after": {
            "tracking_code": report.tracking_code,
            "category": checked.category.code,
            "area": routing.area.pk,
            "area_boundary": routing.area_boundary_id,
            "assigned_officer": routing.officer.pk if routing.officer else None,
            "assigned_unit": routing.unit.pk if routing.unit else None,
            "attachments": len(checked.files),
        },
    }


def _write(
    *,
    checked: _Checked,
    client_ip: str | None,
    client_hash: str,
    limits: Sequence[DailyLimit],
    now: dt.datetime,
) -> Submission:
    """Create the report, its first event and its files in one transaction (see module).

    A known idempotency key is found by the unique constraint, not by a look-up first: the
    INSERT of the report fails (waiting, under PostgreSQL, for a concurrent request with the
    key to commit or roll back), the transaction rolls back before any file is stored, and
    the report holding the key is replayed. A retry over the daily limit is replayed too,
    not refused: that refusal looks the key up before it is given.
    """
    routing = checked.routing
    location = make_point(checked.lon, checked.lat)
    take_up_due, verify_due = rules.deadlines_for(now)
    stored: list[str] = []
    for attempt in range(_CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                _lock_client(limits)
                refusal = _daily_limit_refusal(
                    limits, client_hash, now, country=routing.area.country
                )
                if refusal is not None:
                    if checked.idempotency_key is not None:
                        existing = _by_key(checked.idempotency_key)
                        if existing is not None:
                            return _replay(existing, checked)
                    raise refusal
                report = Report(
                    tracking_code=tracking_code_new(),
                    category=checked.category,
                    location=location,
                    public_location=rules.public_location_for(location, checked.category.precision),
                    area=routing.area,
                    area_boundary_id=routing.area_boundary_id,
                    assigned_officer=routing.officer,
                    assigned_unit=routing.unit,
                    status=Status.SUBMITTED,
                    occurred_at=checked.occurred_at,
                    description=checked.description,
                    reporter_email=checked.reporter_email,
                    reporter_language=checked.reporter_language,
                    client_ip=client_ip,
                    client_hash=client_hash,
                    idempotency_key=checked.idempotency_key,
                    take_up_due_at=take_up_due,
                    verify_due_at=verify_due,
                )
                event = ReportEvent(
                    report=report,
                    actor=None,
                    action=ACTION_SUBMITTED,
                    from_status="",
                    to_status=Status.SUBMITTED,
                    is_public=True,
                )
                if checked.files or not submit_insert.is_available():
                    report.save(force_insert=True)
                    event.report = report
                    event.save(force_insert=True)
                    for item in checked.files:
                        attachment_store(report=report, checked=item, stored=stored)
                    audit_record(**_audit_fields(report, checked))
                else:
                    # The same three rows in one statement (blisko.reports.services.submit_insert).
                    submit_insert.submission_insert(
                        report=report,
                        event=event,
                        audit=AuditEvent(**_audit_fields(report, checked)),
                    )
            return Submission(report=report, created=True)
        except IntegrityError:
            _delete_files(stored)
            if checked.idempotency_key is not None:
                existing = _by_key(checked.idempotency_key)
                if existing is not None:
                    # A request with this key committed first (earlier, or while this one
                    # waited on the key's unique index): this one is its retry.
                    return _replay(existing, checked)
            if attempt == _CODE_ATTEMPTS - 1:
                raise
        except BaseException:
            _delete_files(stored)
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def report_submit_or_replay(
    *,
    category_code: str,
    lon: Any,
    lat: Any,
    description: str = "",
    occurred_at: dt.datetime | str | None = None,
    reporter_email: str = "",
    reporter_language: str = "",
    files: Sequence[UploadedFile] = (),
    client_ip: str | None,
    idempotency_key: str | None = None,
    honeypot: str = "",
    client_key: str | None = None,
    daily_limits: Sequence[DailyLimit] | None = None,
) -> Submission:
    """Submit a report as `report_submit` does; also tell whether this call created it.

    The API answers 201 for a new report and 200 for a retry; the rest is `report_submit`.
    """
    if client_key is not None and not _CLIENT_KEY.fullmatch(client_key):
        raise ValueError("A client key is 1 to 64 lowercase ASCII letters and digits.")
    if any(not (client_key or "").startswith(limit.prefix) for limit in daily_limits or ()):
        raise ValueError("A daily limit must count a prefix of the client's own key.")
    now = timezone.now()
    if _text(honeypot):
        # A form field people never see was filled in: a robot. Say nothing about why.
        raise ApplicationError(
            _("The report could not be accepted. Reload the page and send it again."), {}
        )
    checked = _check(
        category_code=category_code,
        lon=lon,
        lat=lat,
        description=description,
        occurred_at=occurred_at,
        reporter_email=reporter_email,
        reporter_language=reporter_language,
        files=files,
        idempotency_key=idempotency_key,
        now=now,
    )
    if client_key is None:
        client_key = rules.client_hash(client_ip) if client_ip else ""
    if daily_limits is None:
        daily_limits = (
            [
                DailyLimit(
                    prefix=client_key,
                    limit=settings.BLISKO_REPORT_DAILY_LIMIT,
                    message=CONNECTION_LIMIT_MESSAGE,
                )
            ]
            if client_key
            else []
        )
    return _write(
        checked=checked,
        client_ip=_stored_ip(client_ip),
        client_hash=client_key,
        limits=daily_limits,
        now=now,
    )


def _report_only(submit: Callable[P, Submission]) -> Callable[P, Report]:
    """`submit` answering with the report alone (the same keywords, checked by mypy)."""

    @functools.wraps(submit)
    def report_only(*args: P.args, **kwargs: P.kwargs) -> Report:
        return submit(*args, **kwargs).report

    return report_only


report_submit = _report_only(report_submit_or_replay)
report_submit.__name__ = report_submit.__qualname__ = "report_submit"
report_submit.__doc__ = """Submit a resident's report of a threat; returns the report (new, or the earlier one
with the same idempotency key).

Checks, all before anything is written, each refusal an ApplicationError with a
translated message and extra {"field": first, "fields": {name: [messages]}}: the
honeypot is empty (else a generic refusal); the category exists and is active; (lat,
lon) is a point (`parse_lat_lon`) inside a territory (`report_route`, field
"location"); the description has at most BLISKO_REPORT_DESCRIPTION_MAX characters
(stored as plain text: HTML stays text); `occurred_at` (a datetime or ISO 8601 text;
naive means local time) is not in the future; the e-mail, if any, is valid; the files
pass `attachments_check` (field "files"). `reporter_language` (the language the resident
used) is kept only with an e-mail, for the status e-mails, and only if it is one of
LANGUAGES; otherwise they go out in the language of the report's country.

Then, in one transaction: a client (`client_ip`; None for a trusted internal caller,
which has no daily limit) that has sent BLISKO_REPORT_DAILY_LIMIT reports since midnight
in the report's country is refused with status 429. A caller that names its clients
itself passes `client_key` (stored as the report's client key in place of the hash of
`client_ip`: 1 to 64 lowercase ASCII letters and digits) and `daily_limits` (each
counting a prefix
of that key; the first one reached refuses with 429 and its message). A known
`idempotency_key` returns its report, without counting it again, when the submission
is the same, and is refused with status 422 when it is not; otherwise
the report is created, routed (area, boundary version, officer, unit), with its public
location, deadlines, client address and key, a random tracking code, the first public
event ("submitted"), its attachments and an audit event ("reports.report", without
personal data). Nothing is left behind on failure.
"""
