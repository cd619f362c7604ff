"""A small world for the memoranda's tests: a region with two communities (as the plans' tests
have: an officer serving the first, two supervisors of the region), a service area of the first
community with its own officer, another region with its own officer, the first community's
head, an administrator and an analyst, each with an account; and a minimal valid PDF."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from blisko.core.clock import site_today
from blisko.core.roles import ADMINISTRATOR, ANALYST, roles_sync
from blisko.officers.models import Role, Unit
from blisko.officers.tests.factories import (
    AreaFactory,
    AssignmentFactory,
    OfficerFactory,
    ServiceAreaFactory,
)
from blisko.partnerships.models import CommunityHead, Memorandum
from blisko.partnerships.services import workflow
from blisko.partnerships.services.memoranda import (
    MemorandumInput,
    PartnerInput,
    PartyInput,
    memorandum_create,
)
from blisko.partnerships.services.obligations import ObligationInput, obligation_add
from blisko.plans.tests.plans_data import PASSWORD, People, people, user
from blisko.territories.models import Area, Level


@dataclass
class World:
    p: People
    region: Area
    area: Area
    other: Area
    beat: Area
    far_region: Area
    far_area: Area
    unit: Unit
    officer_user: Any
    supervisor_user: Any
    other_supervisor_user: Any
    beat_user: Any
    stranger_user: Any
    head_user: Any
    head: CommunityHead
    admin_user: Any
    analyst_user: Any


def _in_group(account: Any, name: str) -> Any:
    if not Group.objects.filter(name=name).exists():
        roles_sync()
    account.groups.add(Group.objects.get(name=name))
    return account


def world() -> World:
    p = people()
    w = p.world
    beat = ServiceAreaFactory(parent=w.area, centre=(24.0, 48.2))
    beat_officer = OfficerFactory()
    AssignmentFactory(officer=beat_officer, area=beat, role=Role.COMMUNITY_OFFICER)
    far_region = AreaFactory(level=Level.REGION, boundary=None)
    far_area = AreaFactory(parent=far_region, centre=(30.0, 50.0))
    stranger = OfficerFactory()
    AssignmentFactory(officer=stranger, area=far_area, role=Role.COMMUNITY_OFFICER)
    head_user = user("head_a")
    head = CommunityHead.objects.create(
        user=head_user, area=w.area, name="Оксана Мельник", office="Голова громади"
    )
    admin_user = _in_group(user("admin_a"), ADMINISTRATOR)
    analyst_user = _in_group(user("analyst_a"), ANALYST)
    return World(
        p=p,
        region=w.region,
        area=w.area,
        other=w.other,
        beat=beat,
        far_region=far_region,
        far_area=far_area,
        unit=p.supervisor.unit,
        officer_user=p.officer_user,
        supervisor_user=p.supervisor_user,
        other_supervisor_user=p.other_supervisor_user,
        beat_user=user("beat_a", beat_officer),
        stranger_user=user("stranger_a", stranger),
        head_user=head_user,
        head=head,
        admin_user=admin_user,
        analyst_user=analyst_user,
    )


def memorandum_input(w: World, **overrides: Any) -> MemorandumInput:
    values: dict[str, Any] = {
        "kind": "memorandum",
        "title": "Меморандум про співпрацю: поліцейський офіцер громади",
        "number": "12/3-2025",
        "unit": w.unit,
        "parties": [PartyInput(area=w.area, head_name="Оксана Мельник", head_office="Голова")],
        "partners": [PartnerInput(name="Ліцей № 1", kind="school", representative="Директор")],
        "summary": "Громада надає службове приміщення і пальне; поліція — офіцера громади.",
        "valid_until": None,
    }
    values.update(overrides)
    return MemorandumInput(**values)


def draft(w: World, actor: Any = "supervisor", **overrides: Any) -> Memorandum:
    account = w.supervisor_user if actor == "supervisor" else actor
    return memorandum_create(actor=account, data=memorandum_input(w, **overrides))


def obligation(w: World, memorandum: Memorandum, party: Any = "police", **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "party": party,
        "kind": "office",
        "description": "Службове приміщення в будівлі ради, 18 м²",
        "due_on": None,
        "recurrence": "once",
    }
    values.update(overrides)
    return obligation_add(
        actor=w.supervisor_user, memorandum=memorandum, data=ObligationInput(**values)
    )


def in_force(w: World, signed_on: dt.date | None = None, **overrides: Any) -> Memorandum:
    memorandum = draft(w, **overrides)
    return workflow.memorandum_sign(
        actor=w.supervisor_user,
        memorandum=memorandum,
        signed_on=signed_on or site_today() - dt.timedelta(days=30),
    )


def pdf_bytes(text: str = "Memorandum of cooperation") -> bytes:
    """A minimal valid one-page PDF (its cross-reference table counted to the byte)."""
    content = f"BT /F1 12 Tf 20 50 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def pdf_upload(name: str = "memorandum.pdf", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, pdf_bytes() if data is None else data, content_type="application/pdf"
    )


def account(username: str) -> Any:
    return get_user_model().objects.get(username=username)


__all__ = ["PASSWORD", "World", "world", "draft", "in_force", "obligation", "pdf_bytes"]
