"""The daily cap of an Open311 key: shown and edited in the key's admin, saved by the service."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from blisko.core.exceptions import ApplicationError
from blisko.core.models import AuditEvent
from blisko.core.tests.helpers import logged_in
from blisko.reports.models import Open311Key
from blisko.reports.services.open311_keys import open311_key_create, open311_key_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser() -> User:
    return User.objects.create_superuser("root", "root@example.org", "pw")


def _change(client, key: Open311Key, **values):
    data = {"name": key.name, "is_active": "on" if key.is_active else "", "daily_cap": ""}
    data.update(values)
    return client.post(reverse("admin:reports_open311key_change", args=[key.pk]), data)


def test_the_key_s_page_and_list_show_the_daily_cap(superuser):
    key, _raw = open311_key_create(name="FixMyStreet")
    key.daily_cap = 250
    key.save(update_fields=["daily_cap"])
    client = logged_in(superuser)

    page = client.get(reverse("admin:reports_open311key_change", args=[key.pk]))
    listing = client.get(reverse("admin:reports_open311key_changelist"))

    assert page.status_code == 200
    assert page.context["adminform"].form["daily_cap"].value() == 250
    assert "Daily cap" in listing.content.decode()
    assert "250" in listing.content.decode()


def test_an_administrator_sets_and_clears_the_daily_cap_with_an_audit_event(superuser):
    key, raw = open311_key_create(name="FixMyStreet")
    client = logged_in(superuser)

    set_response = _change(client, key, daily_cap="100")
    key.refresh_from_db()
    capped = key.daily_cap
    cleared_response = _change(client, key, daily_cap="")
    key.refresh_from_db()

    assert set_response.status_code == cleared_response.status_code == 302
    assert capped == 100
    assert key.daily_cap is None
    events = AuditEvent.objects.filter(
        entity="reports.open311key", entity_id=str(key.pk), action="updated"
    ).order_by("id")
    assert [(e.before, e.after) for e in events] == [
        ({"daily_cap": None}, {"daily_cap": 100}),
        ({"daily_cap": 100}, {"daily_cap": None}),
    ]
    assert raw not in str(list(events.values()))


@pytest.mark.parametrize("cap", ["0", "-3", "many"])
def test_a_daily_cap_below_one_or_not_a_number_is_refused_and_nothing_changes(superuser, cap):
    key, _raw = open311_key_create(name="FixMyStreet")

    response = _change(logged_in(superuser), key, daily_cap=cap)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["daily_cap"]
    key.refresh_from_db()
    assert key.daily_cap is None


def test_the_service_refuses_a_cap_of_zero():
    key, _raw = open311_key_create(name="FixMyStreet")
    key.daily_cap = 0

    with pytest.raises(ApplicationError) as caught:
        open311_key_save(key=key, actor=None)

    assert caught.value.extra == {"field": "daily_cap"}
    assert Open311Key.objects.get(pk=key.pk).daily_cap is None
