"""The optional second factor (TOTP, django-otp): set up on /accounts/security/, asked at
sign-in once set up, required for the back office when BLISKO_ADMIN_OTP_REQUIRED is on."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from blisko.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "Kalyna-Vinnytsia-2026"


def code_of(device: TOTPDevice, *, step_offset: int = 0) -> str:
    """The code the user's phone shows now (or `step_offset` steps later)."""
    clock = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    clock.time = time.time() + step_offset * device.step
    return f"{clock.token():0{device.digits}d}"


@pytest.fixture
def no_throttle(settings):
    """A wrong code makes django-otp refuse any code for a second; tests that send a wrong
    code and then the right one turn that off (test_wrong_codes_are_throttled keeps it)."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture
def officer():
    return get_user_model().objects.create_user("kowalska", password=PASSWORD, is_staff=True)


@pytest.fixture
def signed_in(client, officer):
    client.force_login(officer)
    return client


def _set_up(client) -> TOTPDevice:
    assert client.post(reverse("accounts:security-start")).status_code == 302
    return TOTPDevice.objects.get(confirmed=False)


def test_the_security_page_offers_to_set_up_an_app(signed_in):
    page = signed_in.get(reverse("accounts:security"))
    assert page.status_code == 200
    assert 'data-second-factor="off"' in page.content.decode()


def test_setting_up_shows_a_qr_code_and_the_secret_and_a_right_code_confirms_it(
    signed_in, officer, no_throttle
):
    device = _set_up(signed_in)
    page = signed_in.get(reverse("accounts:security")).content.decode()
    assert "<svg" in page
    assert device.config_url.replace("&", "&amp;") in page

    wrong = signed_in.post(reverse("accounts:security-confirm"), {"token": "000000"})
    right = signed_in.post(reverse("accounts:security-confirm"), {"token": code_of(device)})

    assert wrong.status_code == 400
    assert "That code is not right" in wrong.content.decode()
    assert right.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(
        entity="user", entity_id=str(officer.pk), action="second_factor_added"
    ).exists()
    page = signed_in.get(reverse("accounts:security")).content.decode()
    assert 'data-second-factor="on"' in page


@pytest.mark.parametrize("token", ["", "12ab56", "1234567890", "<script>"])
def test_a_malformed_code_is_refused_with_a_clear_message(signed_in, token):
    _set_up(signed_in)
    response = signed_in.post(reverse("accounts:security-confirm"), {"token": token})
    assert response.status_code == 400
    assert "data-token-error" in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_wrong_codes_are_throttled(signed_in):
    device = _set_up(signed_in)
    signed_in.post(reverse("accounts:security-confirm"), {"token": "000000"})
    # Right at once after a wrong one: refused for now, though right.
    response = signed_in.post(reverse("accounts:security-confirm"), {"token": code_of(device)})
    assert response.status_code == 400
    assert "Too many wrong codes" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed


def test_a_second_app_cannot_be_started_over_a_confirmed_one(signed_in):
    device = _set_up(signed_in)
    signed_in.post(reverse("accounts:security-confirm"), {"token": code_of(device)})
    response = signed_in.post(reverse("accounts:security-start"), follow=True)
    assert "already set up" in response.content.decode()
    assert TOTPDevice.objects.count() == 1


def test_once_set_up_signing_in_asks_for_the_code(client, officer, no_throttle):
    client.force_login(officer)
    device = _set_up(client)
    client.post(reverse("accounts:security-confirm"), {"token": code_of(device)})
    client.logout()
    device.refresh_from_db()

    without = client.post(reverse("login"), {"username": "kowalska", "password": PASSWORD})
    wrong = client.post(
        reverse("login"), {"username": "kowalska", "password": PASSWORD, "otp_token": "000000"}
    )
    right = client.post(
        reverse("login"),
        {"username": "kowalska", "password": PASSWORD, "otp_token": code_of(device, step_offset=1)},
    )

    assert without.status_code == 200
    assert "enter the code it shows" in without.content.decode()
    assert wrong.status_code == 200
    assert "_auth_user_id" not in wrong.wsgi_request.session
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(officer.pk)


def test_removing_the_app_needs_a_current_code_and_is_audited(signed_in, officer, no_throttle):
    device = _set_up(signed_in)
    signed_in.post(reverse("accounts:security-confirm"), {"token": code_of(device)})

    refused = signed_in.post(reverse("accounts:security-remove"), {"token": "000000"})
    assert refused.status_code == 400
    assert TOTPDevice.objects.filter(user=officer).exists()

    device.refresh_from_db()
    done = signed_in.post(
        reverse("accounts:security-remove"), {"token": code_of(device, step_offset=1)}
    )
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert AuditEvent.objects.filter(action="second_factor_removed").count() == 1


# --- the back office --------------------------------------------------------------------------


@pytest.fixture
def root():
    return get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)


def test_the_back_office_refuses_a_session_without_the_second_factor(client, root, settings):
    settings.BLISKO_ADMIN_OTP_REQUIRED = True
    client.force_login(root)

    page = client.get("/admin/", follow=True)

    # Through the admin's own login URL to the one sign-in page, which says why.
    assert page.redirect_chain[-1] == (f"{reverse('login')}?next=/admin/", 302)
    assert "data-needs-second-factor" in page.content.decode()


def test_the_back_office_opens_after_signing_in_with_the_code(client, root, settings):
    settings.BLISKO_ADMIN_OTP_REQUIRED = True
    device = TOTPDevice.objects.create(user=root, name="Authenticator app", confirmed=True)

    response = client.post(
        reverse("login"),
        {"username": "root", "password": PASSWORD, "otp_token": code_of(device), "next": "/admin/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_without_the_setting_the_back_office_opens_with_the_password_alone(client, root, settings):
    settings.BLISKO_ADMIN_OTP_REQUIRED = False
    client.post(reverse("login"), {"username": "root", "password": PASSWORD})
    assert client.get("/admin/").status_code == 200


def test_an_administrator_can_remove_a_lost_phones_app_in_the_admin(root, officer):
    from blisko.core.tests.helpers import logged_in

    TOTPDevice.objects.create(user=officer, name="Authenticator app", confirmed=True)
    admin = logged_in(root)
    changelist = reverse("admin:otp_totp_totpdevice_changelist")
    assert admin.get(changelist).status_code == 200
    lost = TOTPDevice.objects.get(user=officer)
    response = admin.post(
        reverse("admin:otp_totp_totpdevice_delete", args=[lost.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
