"""Signing in: lock-out after repeated failures (django-axes), per account and per address,
with a translated page, 429 and Retry-After, an audit event, and an unlock in the admin."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from blisko.core.models import AuditEvent
from blisko.core.tests.helpers import logged_in

pytestmark = pytest.mark.django_db

PASSWORD = "Kalyna-Vinnytsia-2026"
LOCKED = {
    "en": "Too many failed sign-ins",
    "uk": "Забагато невдалих спроб входу",
    "pl": "Zbyt wiele nieudanych prób logowania",
}


@pytest.fixture
def officer():
    return get_user_model().objects.create_user("kowalska", password=PASSWORD, is_staff=True)


def _sign_in(client, username, password, *, address="203.0.113.7", language="en"):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE=language,
    )


def _fail(client, username, times, **kwargs):
    return [_sign_in(client, username, "wrong-password", **kwargs) for _ in range(times)]


def test_a_wrong_password_is_answered_on_the_page_until_the_limit(client, officer, settings):
    responses = _fail(client, "kowalska", settings.AXES_FAILURE_LIMIT - 1)
    assert [r.status_code for r in responses] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert all("data-login-error" in r.content.decode() for r in responses)
    assert _sign_in(client, "kowalska", PASSWORD).status_code == 302


@pytest.mark.parametrize("language", ["en", "uk", "pl"])
def test_the_account_locks_after_the_limit_with_a_translated_429(
    client, officer, settings, language
):
    _fail(client, "kowalska", settings.AXES_FAILURE_LIMIT, language=language)

    # The right password now is refused too, in the visitor's language.
    response = _sign_in(client, "kowalska", PASSWORD, language=language)

    assert response.status_code == 429
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    page = response.content.decode()
    assert "data-login-locked" in page
    assert LOCKED[language] in page
    assert "_auth_user_id" not in client.session


def test_the_account_stays_locked_from_any_other_address(client, officer, settings):
    for index in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "kowalska", "wrong-password", address=f"198.51.100.{index + 1}")
    response = _sign_in(client, "kowalska", PASSWORD, address="192.0.2.200")
    assert response.status_code == 429


def test_one_address_trying_many_accounts_is_locked_out(client, officer, settings):
    for index in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, f"guess{index}", "wrong-password", address="203.0.113.99")
    # Even the right password of an account it never tried, from that address.
    assert _sign_in(client, "kowalska", PASSWORD, address="203.0.113.99").status_code == 429
    # The account itself is not locked from elsewhere.
    assert _sign_in(client, "kowalska", PASSWORD, address="192.0.2.1").status_code == 302


def test_a_lock_out_writes_an_audit_event(client, officer, settings):
    _fail(client, "kowalska", settings.AXES_FAILURE_LIMIT)
    events = AuditEvent.objects.filter(entity="signin", action="locked_out")
    assert events.exists()
    assert events.first().entity_id == "kowalska"


def test_the_lock_ends_after_the_cool_off(client, officer, settings):
    _fail(client, "kowalska", settings.AXES_FAILURE_LIMIT)
    assert _sign_in(client, "kowalska", PASSWORD).status_code == 429
    # The cool-off time passes: the failures are that much older.
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(minutes=1)
    )
    assert _sign_in(client, "kowalska", PASSWORD).status_code == 302


def test_an_administrator_unlocks_the_account_in_the_admin_and_it_is_audited(
    client, officer, settings
):
    _fail(client, "kowalska", settings.AXES_FAILURE_LIMIT)
    assert _sign_in(client, "kowalska", PASSWORD).status_code == 429
    root = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    admin = logged_in(root)
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert admin.get(changelist).status_code == 200
    rows = list(AccessAttempt.objects.values_list("pk", flat=True))

    response = admin.post(changelist, {"action": "unlock", "_selected_action": rows}, follow=True)

    assert response.status_code == 200
    assert not AccessAttempt.objects.exists()
    unlocked = AuditEvent.objects.filter(entity="signin", action="unlocked")
    assert unlocked.count() == len(rows)
    assert unlocked.first().actor == root
    assert _sign_in(client, "kowalska", PASSWORD).status_code == 302


def test_the_admin_has_no_plain_delete_that_would_skip_the_audit(client, officer, settings):
    _fail(client, "kowalska", 2)
    root = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    admin = logged_in(root)
    page = admin.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert 'value="unlock"' in page
    assert 'value="delete_selected"' not in page


@pytest.mark.parametrize(
    "weak", ["12345678", "password", "kowalska1", "Ab1"], ids=["numeric", "common", "name", "short"]
)
def test_weak_passwords_are_refused_by_djangos_validators(officer, weak):
    with pytest.raises(ValidationError):
        validate_password(weak, user=officer)
    validate_password(PASSWORD, user=officer)


def test_the_admin_refuses_to_set_a_weak_password(officer):
    root = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    admin = logged_in(root)
    response = admin.post(
        reverse("admin:auth_user_password_change", args=[officer.pk]),
        {"password1": "12345678", "password2": "12345678", "usable_password": "true"},
    )
    assert response.status_code == 200
    assert "entirely numeric" in response.content.decode()
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)
