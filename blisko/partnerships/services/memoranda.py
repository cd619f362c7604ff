"""Writing a memorandum: create a draft with its community parties and partners, change it
while it is a draft, and attach the signed document (a PDF, police only). The workflow's moves
(sign, terminate, expire) are in `workflow`.

Every check is made before anything is written; each service is one transaction and writes
one audit event ("memorandum") with the fields before and after. A refused document leaves no
file behind; a replaced one is deleted once the new one is committed. Changes lock the
memorandum's police unit first, then the memorandum (`memorandum_lock`), as the signing does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from blisko.core.checks import refused, text_value
from blisko.core.exceptions import ApplicationError
from blisko.core.services import Actor, audit_record
from blisko.officers.models import Unit
from blisko.partnerships.models import (
    Memorandum,
    MemorandumArea,
    MemorandumKind,
    MemorandumStatus,
    Partner,
    PartnerKind,
)
from blisko.partnerships.selectors.access import (
    is_administrator,
    units_for_writer,
    user_may_write,
    user_may_write_for,
)
from blisko.territories.models import Area, Level

ENTITY = "memorandum"
S = MemorandumStatus
# The memoranda whose document may be attached or replaced.
DOCUMENT_OPEN = (S.DRAFT, S.IN_FORCE)
TEXT_MAX = {
    "title": 300,
    "number": 64,
    "summary": 4000,
    "head_name": 200,
    "head_office": 200,
    "name": 200,
    "representative": 200,
    "termination_reason": 1000,
}
PDF_MAGIC = b"%PDF-"
PDF_END = b"%%EOF"
PDF_TAIL = 1024


# --- input -------------------------------------------------------------------------------


@dataclass
class PartyInput:
    """A community party: the community and its head, by name and office, as they sign."""

    area: Area | None
    head_name: str
    head_office: str


@dataclass
class PartnerInput:
    """Another party (a school, an NGO...). `pk` names the partner being kept when a draft is
    changed (its obligations stay with it); None for a new one."""

    name: str
    kind: str
    representative: str = ""
    pk: int | None = None


@dataclass
class MemorandumInput:
    """What the writer fills in (the form and the API send the same)."""

    kind: str
    title: str
    unit: Unit | None
    parties: list[PartyInput]
    partners: list[PartnerInput] = field(default_factory=list)
    number: str = ""
    summary: str = ""
    valid_until: dt.date | None = None


def status_label(status: str) -> str:
    return str(MemorandumStatus(status).label) if status in MemorandumStatus.values else status


def _row_refused(message: str, group: str, row: int, name: str) -> ApplicationError:
    return ApplicationError(message, {"field": group, "row": row, "name": name})


def _parties(rows: list[PartyInput]) -> list[dict[str, Any]]:
    if not rows:
        raise refused(_("Name at least one community that is a party."), "parties")
    out: list[dict[str, Any]] = []
    seen: set[int] = set()
    for i, row in enumerate(rows):
        number = i + 1
        area = row.area
        if not isinstance(area, Area):
            raise _row_refused(
                _("Community party %(n)d: choose the community.") % {"n": number},
                "parties",
                i,
                "area",
            )
        if area.level != Level.COMMUNITY:
            raise _row_refused(
                _("Community party %(n)d: %(area)s is not a community (it is a %(level)s).")
                % {"n": number, "area": area.name, "level": area.get_level_display()},
                "parties",
                i,
                "area",
            )
        if area.pk in seen:
            raise _row_refused(
                _("Community party %(n)d: %(area)s is named twice.")
                % {"n": number, "area": area.name},
                "parties",
                i,
                "area",
            )
        seen.add(area.pk)
        values: dict[str, Any] = {"area": area}
        for name, label in (
            ("head_name", _("The head's name")),
            ("head_office", _("The head's office")),
        ):
            try:
                values[name] = text_value(
                    getattr(row, name), field=name, label=label, max_length=TEXT_MAX[name]
                )
            except ApplicationError as error:
                raise _row_refused(
                    _("Community party %(n)d: %(message)s")
                    % {"n": number, "message": error.message},
                    "parties",
                    i,
                    name,
                ) from None
        out.append(values)
    return out


def _partners(rows: list[PartnerInput]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        number = i + 1
        if row.kind not in PartnerKind.values:
            raise _row_refused(
                _("Partner %(n)d: choose what kind of partner it is.") % {"n": number},
                "partners",
                i,
                "kind",
            )
        values: dict[str, Any] = {"kind": row.kind, "pk": row.pk}
        for name, label, required in (
            ("name", _("The partner's name"), True),
            ("representative", _("The representative"), False),
        ):
            try:
                values[name] = text_value(
                    getattr(row, name),
                    field=name,
                    label=label,
                    max_length=TEXT_MAX[name],
                    required=required,
                )
            except ApplicationError as error:
                raise _row_refused(
                    _("Partner %(n)d: %(message)s") % {"n": number, "message": error.message},
                    "partners",
                    i,
                    name,
                ) from None
        out.append(values)
    return out


def _checked(data: MemorandumInput, actor: Actor) -> dict[str, Any]:
    if data.kind not in MemorandumKind.values:
        raise refused(_("Choose whether it is a memorandum or an agreement."), "kind")
    if not isinstance(data.unit, Unit):
        raise refused(_("Choose the police unit or headquarters that signs."), "unit")
    valid_until = data.valid_until
    if valid_until is not None and not isinstance(valid_until, dt.date):
        raise refused(_("Give the last day as a date, or leave it empty."), "valid_until")
    fields: dict[str, Any] = {
        "kind": data.kind,
        "title": text_value(
            data.title, field="title", label=_("The title"), max_length=TEXT_MAX["title"]
        ),
        "number": text_value(
            data.number,
            field="number",
            label=_("The registration number"),
            max_length=TEXT_MAX["number"],
            required=False,
        ),
        "summary": text_value(
            data.summary,
            field="summary",
            label=_("The summary"),
            max_length=TEXT_MAX["summary"],
            required=False,
        ),
        "unit": data.unit,
        "valid_until": valid_until,
        "parties": _parties(data.parties),
        "partners": _partners(data.partners),
    }
    if actor is not None:
        if not user_may_write_for(user=actor, areas=[p["area"] for p in fields["parties"]]):
            raise refused(
                _("You can write memoranda only for communities you supervise."),
                "parties",
                status=403,
            )
        if (
            not is_administrator(actor)
            and not units_for_writer(user=actor).filter(pk=data.unit.pk).exists()
        ):
            raise refused(
                _("You can sign only in the name of a police unit of your region."),
                "unit",
                status=403,
            )
    return fields


# --- snapshots ---------------------------------------------------------------------------


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def memorandum_snapshot(memorandum: Memorandum) -> dict[str, Any]:
    """The memorandum's fields, parties and partners as JSON, for its audit events."""
    return {
        "kind": memorandum.kind,
        "title": memorandum.title,
        "number": memorandum.number,
        "unit": memorandum.unit_id,
        "status": memorandum.status,
        "signed_on": _day(memorandum.signed_on),
        "valid_until": _day(memorandum.valid_until),
        "terminated_on": _day(memorandum.terminated_on),
        "summary": memorandum.summary,
        "document_sha256": memorandum.document_sha256,
        "parties": [
            {"area": code, "head_name": name, "head_office": office}
            for code, name, office in memorandum.parties.order_by("pk").values_list(
                "area__code", "head_name", "head_office"
            )
        ],
        "partners": [
            {"id": p.pk, "name": p.name, "kind": p.kind, "representative": p.representative}
            for p in memorandum.partners.order_by("pk")
        ],
    }


# --- create and change -------------------------------------------------------------------


def _write_parts(memorandum: Memorandum, fields: dict[str, Any]) -> None:
    """Make the memorandum's parties and partners the ones given: a community kept keeps its
    party row (and obligations), a partner kept by `pk` too; a party or partner dropped that
    has obligations is refused (remove its obligations first)."""
    wanted = {p["area"].pk: p for p in fields["parties"]}
    for party in list(memorandum.parties.select_related("area").defer("area__boundary")):
        row = wanted.pop(party.area_id, None)
        if row is None:
            if party.obligations.exists():
                raise refused(
                    _("%(area)s has obligations in this memorandum: remove them first.")
                    % {"area": party.area.name},
                    "parties",
                )
            party.delete()
            continue
        party.head_name, party.head_office = row["head_name"], row["head_office"]
        party.save(update_fields=["head_name", "head_office"])
    for row in wanted.values():
        MemorandumArea.objects.create(
            memorandum=memorandum,
            area=row["area"],
            head_name=row["head_name"],
            head_office=row["head_office"],
        )
    existing = {p.pk: p for p in memorandum.partners.all()}
    kept: set[int] = set()
    for i, row in enumerate(fields["partners"]):
        pk = row["pk"]
        if pk is not None:
            partner = existing.get(pk)
            if partner is None:
                raise _row_refused(
                    _("Partner %(n)d is a partner of another memorandum.") % {"n": i + 1},
                    "partners",
                    i,
                    "name",
                )
            partner.name, partner.kind = row["name"], row["kind"]
            partner.representative = row["representative"]
            partner.save(update_fields=["name", "kind", "representative"])
            kept.add(pk)
        else:
            Partner.objects.create(
                memorandum=memorandum,
                name=row["name"],
                kind=row["kind"],
                representative=row["representative"],
            )
    for pk, partner in existing.items():
        if pk in kept:
            continue
        if partner.obligations.exists():
            raise refused(
                _("%(name)s has obligations in this memorandum: remove them first.")
                % {"name": partner.name},
                "partners",
            )
        partner.delete()


def memorandum_create(*, actor: Actor, data: MemorandumInput) -> Memorandum:
    """A new draft memorandum with its community parties and partners.

    Preconditions: the kind is a memorandum or an agreement; a title; the unit; at least one
    community party, each a community (not a district or a beat), named once, with its head's
    name and office; each partner with a name and a kind; the texts within their lengths; the
    actor (unless the system) may write for every community (an administrator, or their
    supervisor) in the name of a unit of their reach. Effects: the draft, its parties and
    partners, and an audit event "created"."""
    fields = _checked(data, actor)
    with transaction.atomic():
        memorandum = Memorandum.objects.create(
            kind=fields["kind"],
            title=fields["title"],
            number=fields["number"],
            summary=fields["summary"],
            unit=fields["unit"],
            valid_until=fields["valid_until"],
            status=S.DRAFT,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,  # type: ignore[misc]
        )
        _write_parts(memorandum, fields)
        audit_record(
            actor=actor,
            entity=ENTITY,
            entity_id=memorandum.pk,
            action="created",
            after=memorandum_snapshot(memorandum),
        )
    return memorandum


def memorandum_moved_meanwhile(status: str) -> ApplicationError:
    """The refusal (409) of a move on a memorandum someone else changed since the mover read
    it: two supervisors signing at once, or a page left open."""
    return ApplicationError(
        _(
            "Someone else has just changed this memorandum: it is now “%(status)s”. Nothing "
            "was changed by you; look at the memorandum again."
        )
        % {"status": status_label(status)},
        {"status": status, "field": "status"},
        status=409,
    )


def memorandum_lock(memorandum: Memorandum) -> Memorandum:
    """The memorandum's row, locked; its unit's row first (see `_transition`), so a change
    waits for a signing of the same unit. Call inside a transaction."""
    unit_id = Memorandum.objects.filter(pk=memorandum.pk).values_list("unit_id", flat=True).first()
    if unit_id is None:
        raise ApplicationError(_("There is no such memorandum."), status=404)
    Unit.objects.select_for_update().only("pk").filter(pk=unit_id).first()
    locked = Memorandum.objects.select_for_update().select_related("unit").get(pk=memorandum.pk)
    if locked.unit_id != unit_id:
        raise memorandum_moved_meanwhile(locked.status)
    return locked


def writer_check(memorandum: Memorandum, actor: Actor) -> None:
    """Refuse (403) an actor who may not write the memorandum; the system (None) may."""
    if actor is not None and not user_may_write(user=actor, memorandum=memorandum):
        raise refused(
            _("Only an administrator or a supervisor of its communities can do this."),
            "status",
            status=403,
        )


def memorandum_update(*, actor: Actor, memorandum: Memorandum, data: MemorandumInput) -> Memorandum:
    """Change a draft memorandum: its fields, parties and partners.

    Preconditions: as memorandum_create; the memorandum is a draft; the actor may write it as
    it is and as it will be; a party or partner dropped has no obligations. Effects: the fields
    saved, the parties and partners replaced (those kept keep their obligations); an audit
    event "changed" with before and after."""
    fields = _checked(data, actor)
    with transaction.atomic():
        locked = memorandum_lock(memorandum)
        if locked.status != S.DRAFT:
            raise refused(
                _("Only a draft can be changed; this memorandum is “%(status)s”.")
                % {"status": status_label(locked.status)},
                "status",
                status=409,
            )
        writer_check(locked, actor)
        before = memorandum_snapshot(locked)
        for name in ("kind", "title", "number", "summary", "unit", "valid_until"):
            setattr(locked, name, fields[name])
        locked.save(
            update_fields=[
                "kind",
                "title",
                "number",
                "summary",
                "unit",
                "valid_until",
                "updated_at",
            ]
        )
        _write_parts(locked, fields)
        audit_record(
            actor=actor,
            entity=ENTITY,
            entity_id=locked.pk,
            action="changed",
            before=before,
            after=memorandum_snapshot(locked),
        )
    return locked


# --- the document ------------------------------------------------------------------------


def document_check(document: Any) -> str:
    """The SHA-256 (hex) of a signed document, or a refusal (field "document"): the file's name
    must end in .pdf, its content begin as a PDF does (`%PDF-`) and end as one does (`%%EOF`
    in its last kilobyte: a cut-off upload is refused), whatever its name says, and it must be
    no larger than BLISKO_MEMORANDUM_DOCUMENT_MAX_BYTES. Nothing is stored."""
    limit = settings.BLISKO_MEMORANDUM_DOCUMENT_MAX_BYTES
    too_large = refused(
        _("The document is larger than %(max)s MB.") % {"max": f"{limit / (1024 * 1024):g}"},
        "document",
    )
    name = str(getattr(document, "name", "") or "")
    if not name.lower().endswith(".pdf"):
        raise refused(_("The document must be a PDF file (its name ending in .pdf)."), "document")
    size = getattr(document, "size", None)
    if size is not None and size > limit:
        raise too_large
    digest = hashlib.sha256()
    total = 0
    head = b""
    tail = b""
    document.seek(0)
    chunks = document.chunks() if hasattr(document, "chunks") else iter([document.read()])
    for chunk in chunks:
        if len(head) < len(PDF_MAGIC):
            head += chunk[: len(PDF_MAGIC) - len(head)]
        total += len(chunk)
        if total > limit:
            raise too_large
        digest.update(chunk)
        tail = (tail + chunk)[-PDF_TAIL:]
    document.seek(0)
    if total == 0:
        raise refused(_("The document is empty."), "document")
    if head != PDF_MAGIC:
        raise refused(
            _("The document is not a PDF: its content is not a PDF file's, whatever its name."),
            "document",
        )
    if PDF_END not in tail:
        raise refused(
            _("The document is not a whole PDF: its end is missing. Upload the file again."),
            "document",
        )
    return digest.hexdigest()


def document_store(locked: Memorandum, document: Any, sha: str, stored: list[str]) -> str:
    """Save the file under a name of Blisko's (never the uploader's) and point the memorandum
    at it; returns the previous file's name. `stored` collects the new name, so a transaction
    that fails afterwards deletes it."""
    field_ = Memorandum._meta.get_field("document")
    previous = locked.document.name or ""
    name = field_.generate_filename(locked, f"memorandum-{locked.pk}-{sha[:16]}.pdf")
    document.seek(0)
    saved = field_.storage.save(name, document)
    stored.append(saved)
    locked.document.name = saved
    locked.document_sha256 = sha
    return previous


def file_delete(name: str) -> None:
    """Delete a stored document file (nothing when `name` is empty)."""
    if name:
        Memorandum._meta.get_field("document").storage.delete(name)


def file_delete_after_commit(previous: str, current: str) -> None:
    """Delete the replaced document's file once the transaction replacing it is committed."""
    if previous and previous != current:
        transaction.on_commit(lambda: file_delete(previous))


def memorandum_document_attach(
    *, actor: Actor, memorandum: Memorandum, document: Any
) -> Memorandum:
    """Attach (or replace) the signed document: a PDF within the size limit.

    Preconditions: see `document_check`; the memorandum is a draft or in force; the actor may
    write it. Effects: the file stored (police only), its SHA-256 kept; the previous file
    deleted once this is committed; an audit event "document_attached". A refusal stores
    nothing."""
    sha = document_check(document)
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = memorandum_lock(memorandum)
            if locked.status not in DOCUMENT_OPEN:
                raise refused(
                    _("The document of a memorandum that is “%(status)s” cannot change.")
                    % {"status": status_label(locked.status)},
                    "document",
                    status=409,
                )
            writer_check(locked, actor)
            before = {"document_sha256": locked.document_sha256}
            previous = document_store(locked, document, sha, stored)
            locked.save(update_fields=["document", "document_sha256", "updated_at"])
            audit_record(
                actor=actor,
                entity=ENTITY,
                entity_id=locked.pk,
                action="document_attached",
                before=before,
                after={"document_sha256": sha},
            )
            file_delete_after_commit(previous, locked.document.name or "")
    except BaseException:
        for name in stored:
            file_delete(name)
        raise
    return locked
