"""Every kind of page works under the Content-Security-Policy in a real browser: no script,
style or image is refused and no script fails (Debian's Chromium, blisko.core.testing.browser).
"""

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from blisko.accounts.tests.helpers import second_factor_verify
from blisko.core.geo import GEO_SRID
from blisko.public.tests.data import KONIN
from blisko.reports.tests.factories import ReportFactory
from blisko.reports.tests.police import officer_of, police_user
from blisko.territories.models import Area
from conftest import KONIN_CENTRE, load_territories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Collects what the browser refused under the policy, from before the page's first script.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile + ":" +
                    e.lineNumber);
});
"""

# ReDoc's "powered by" logo is an image on its makers' server; refused, as every other host.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def _visit(browser_page, paths: list[str], *, session: str | None = None) -> dict[str, list]:
    """Open each path in one browser; what it refused or logged as refused, per path."""
    opened = browser_page()
    page = opened.page
    if session:
        host = opened.base_url.split("//", 1)[1].split(":")[0]
        page.context.add_cookies(
            [{"name": "sessionid", "value": session, "domain": host, "path": "/"}]
        )
    page.add_init_script(LISTEN)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Refused to" in m.text else None)
    found: dict[str, list] = {}
    for path in paths:
        refused.clear()
        response = page.goto(opened.base_url + path)
        page.wait_for_load_state("networkidle")
        found[path] = [
            found for found in [*page.evaluate("window.__csp"), *refused] if REDOC_LOGO not in found
        ]
        assert response is not None and response.status < 500, path
    opened.check.assert_clean()  # no script error, no request to another host
    return found


def _session(user: Any, *, second_factor: bool = False) -> str:
    client = Client()
    client.force_login(user)
    if second_factor:
        second_factor_verify(client, user)
    return client.cookies["sessionid"].value


def test_the_public_pages_break_no_rule_of_the_policy(browser_page):
    load_territories(places=False)
    konin = Area.objects.get(code=KONIN)
    report = ReportFactory(area=konin, location=Point(*KONIN_CENTRE, srid=GEO_SRID))
    lon, lat = KONIN_CENTRE
    paths = [
        "/",
        "/search/?q=Konin",
        f"/officer/?lat={lat}&lon={lon}",
        "/report/",
        f"/report/{report.tracking_code}/",
        "/map/",
        "/no-such-page/",
        "/accounts/login/",
        "/api/v1/docs/",
        "/api/v1/redoc/",
    ]
    found = _visit(browser_page, paths)
    assert found == {path: [] for path in paths}


def test_the_police_pages_break_no_rule_of_the_policy(browser_page):
    load_territories(places=False)
    konin = Area.objects.get(code=KONIN)
    user = police_user(area=konin)
    report = ReportFactory(area=konin, location=Point(*KONIN_CENTRE, srid=GEO_SRID))
    paths = [
        "/police/reports/",
        f"/police/reports/{report.tracking_code}/",
        "/police/units/",
        f"/police/units/{officer_of(user).unit_id}/",
        "/accounts/security/",
    ]
    # Half-way through setting up an authenticator app: the page shows its QR code (SVG).
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    found = _visit(browser_page, paths, session=_session(user))
    assert found == {path: [] for path in paths}


def test_the_admin_and_its_map_widget_break_no_rule_of_the_policy(browser_page, settings):
    settings.BLISKO_ADMIN_OTP_REQUIRED = True
    load_territories(places=False)
    konin = Area.objects.get(code=KONIN)
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw-12345")
    paths = ["/admin/", f"/admin/territories/area/{konin.pk}/change/"]
    found = _visit(browser_page, paths, session=_session(admin, second_factor=True))
    assert found == {path: [] for path in paths}
