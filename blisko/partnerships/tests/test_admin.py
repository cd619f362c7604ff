"""The partnerships' back office: memoranda, parties, partners, obligations and fulfilment read
only and scoped to the user's areas; rollout targets and community heads edited by
administrators, audited."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from blisko.core.clock import site_today
from blisko.core.models import AuditEvent
from blisko.core.roles import ADMINISTRATOR, COMMUNITY_HEAD, SUPERVISOR, roles_sync
from blisko.core.tests.helpers import logged_in
from blisko.partnerships.models import CommunityHead, Fulfilment, Memorandum, RolloutTarget
from blisko.partnerships.services.obligations import fulfilment_record
from blisko.partnerships.tests.partnerships_data import in_force, obligation, world
from blisko.plans.tests.plans_data import user

pytestmark = pytest.mark.django_db

MODELS = ["memorandum", "memorandumarea", "partner", "obligation", "fulfilment"]
# A column of each list shown once per row (the first is a link, its class differs).
ROW_COLUMNS = {
    "memorandum": "number",
    "memorandumarea": "memorandum",
    "partner": "kind",
    "obligation": "party_kind",
    "fulfilment": "on",
}


def _staff(account, group: str):
    roles_sync()
    account.is_staff = True
    account.save()
    account.groups.add(Group.objects.get(name=group))
    return logged_in(account)


def _memorandum_with_everything(w) -> Memorandum:
    memorandum = in_force(w, signed_on=site_today() - dt.timedelta(days=5))
    promise = obligation(w, memorandum, description="Службове приміщення")
    fulfilment_record(
        actor=w.supervisor_user, obligation=promise, on=site_today(), state="fulfilled"
    )
    return memorandum


def test_every_partnerships_model_is_registered_and_the_records_are_read_only():
    w = world()
    memorandum = _memorandum_with_everything(w)
    root = get_user_model().objects.create_superuser("root", "root@example.org", "pw-12345678")
    client = logged_in(root)

    for model in [*MODELS, "rollouttarget", "communityhead"]:
        assert client.get(f"/admin/partnerships/{model}/").status_code == 200, model
    page = client.get(f"/admin/partnerships/memorandum/{memorandum.pk}/change/")
    assert page.status_code == 200 and "Службове приміщення" in page.text
    assert 'name="_save"' not in page.text
    assert "document_sha256" in page.text or "SHA-256" in page.text
    for model in MODELS:
        assert client.get(f"/admin/partnerships/{model}/add/").status_code == 403, model
    fulfilment = Fulfilment.objects.get()
    assert (
        client.post(
            f"/admin/partnerships/fulfilment/{fulfilment.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert Fulfilment.objects.exists()


def test_a_supervisor_sees_the_memoranda_of_their_region_only():
    w = world()
    memorandum = _memorandum_with_everything(w)
    client = _staff(w.supervisor_user, SUPERVISOR)

    for model, column in ROW_COLUMNS.items():
        listing = client.get(f"/admin/partnerships/{model}/")
        assert listing.text.count(f'class="field-{column}') == 1, model
    assert client.get(f"/admin/partnerships/memorandum/{memorandum.pk}/change/").status_code == 200

    stranger = _staff(w.stranger_user, SUPERVISOR)
    assert memorandum.title not in stranger.get("/admin/partnerships/memorandum/").text
    assert (
        stranger.get(f"/admin/partnerships/memorandum/{memorandum.pk}/change/").status_code == 403
    )
    for model, column in ROW_COLUMNS.items():
        listing = stranger.get(f"/admin/partnerships/{model}/")
        assert listing.text.count(f'class="field-{column}') == 0, model


def test_an_administrator_enters_a_rollout_target_and_it_is_audited():
    w = world()
    client = _staff(w.admin_user, ADMINISTRATOR)

    response = client.post(
        "/admin/partnerships/rollouttarget/add/",
        {
            "country": "UA",
            "on": "2026-12-31",
            "officers": "364",
            "communities": "364",
            "regions": "24",
            "note": "План проєкту",
        },
    )

    assert response.status_code == 302, response.text[:500]
    target = RolloutTarget.objects.get()
    assert target.officers == 364
    event = AuditEvent.objects.get(entity="rollout_target")
    assert event.action == "created" and event.actor == w.admin_user
    client.post(f"/admin/partnerships/rollouttarget/{target.pk}/delete/", {"post": "yes"})
    assert not RolloutTarget.objects.exists()
    assert AuditEvent.objects.filter(entity="rollout_target", action="removed").count() == 1


def test_a_supervisor_reads_rollout_targets_but_cannot_change_them():
    w = world()
    client = _staff(w.supervisor_user, SUPERVISOR)
    assert client.get("/admin/partnerships/rollouttarget/").status_code == 200
    assert client.get("/admin/partnerships/rollouttarget/add/").status_code == 403
    assert client.get("/admin/partnerships/communityhead/").status_code == 403


def test_an_administrator_gives_a_head_an_account_for_a_community_only():
    w = world()
    client = _staff(w.admin_user, ADMINISTRATOR)
    account = user("head_b")

    district = client.post(
        "/admin/partnerships/communityhead/add/",
        {
            "user": account.pk,
            "area": w.region.pk,
            "name": "Петро Коваль",
            "office": "Голова",
            "is_active": "on",
        },
    )
    done = client.post(
        "/admin/partnerships/communityhead/add/",
        {
            "user": account.pk,
            "area": w.other.pk,
            "name": "Петро Коваль",
            "office": "Голова",
            "is_active": "on",
        },
    )

    assert district.status_code == 200 and "tied to a community" in district.text
    assert done.status_code == 302
    head = CommunityHead.objects.get(user=account)
    assert head.area == w.other
    assert account.groups.filter(name=COMMUNITY_HEAD).exists()
    assert AuditEvent.objects.filter(entity="community_head", action="created").count() == 1
