"""Every police page, walked by an officer of another unit and by an anonymous visitor.

The list of requests below is checked against the URL patterns themselves
(`blisko.reports.urls`, `blisko.accounts.urls`), so a police page added later without a line
here fails the first test. For each: anonymous → the sign-in page; an officer of another
unit → 404 (a report, a file or a unit outside their reach is answered exactly like a missing
one: not 403, and none of its data), and nothing is changed by their POSTs.
"""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, reverse

from blisko.accounts import urls as accounts_urls
from blisko.officers.models import Role
from blisko.officers.tests.factories import UnitFactory
from blisko.reports import urls as reports_urls
from blisko.reports.models import Attachment, Report, ReportEvent, Status
from blisko.reports.tests.factories import ReportFactory
from blisko.reports.tests.police import police_user, region_with_communities
from blisko.reports.tests.uploads import png_bytes

pytestmark = pytest.mark.django_db

SECRET_NOTE = "Przy garażach, numer 14, drugie piętro"


@pytest.fixture
def two_units():
    """Unit A (region A, an officer and a supervisor) owns a report with a file and a photo;
    unit B, in another region, has an officer and a supervisor of its own."""
    region_a, (area_a,) = region_with_communities(1)
    region_b, (area_b,) = region_with_communities(1)
    unit_a = UnitFactory(area=region_a, name="Unit A")
    unit_b = UnitFactory(area=region_b, name="Unit B")
    officer_a = police_user(area=area_a, unit=unit_a, username="officer-a")
    police_user(area=region_a, role=Role.SUPERVISOR, unit=unit_a, username="boss-a")
    officer_b = police_user(area=area_b, unit=unit_b, username="officer-b")
    boss_b = police_user(area=region_b, role=Role.SUPERVISOR, unit=unit_b, username="boss-b")
    report = ReportFactory(
        area=area_a, assigned_unit=unit_a, tracking_code="AAAA-0000-0001", description=SECRET_NOTE
    )
    attachment = Attachment.objects.create(
        report=report,
        file=ContentFile(b"%PDF-1.4 statement", name="statement.pdf"),
        content_type="application/pdf",
        size=18,
        sha256="1" * 64,
    )
    event = ReportEvent.objects.create(
        report=report,
        action="note",
        note=SECRET_NOTE,
        is_public=False,
        photo=ContentFile(png_bytes(), name="place.png"),
    )
    return {
        "report": report,
        "attachment": attachment,
        "event": event,
        "unit_a": unit_a,
        "officer_a": officer_a,
        "officer_b": officer_b,
        "boss_b": boss_b,
    }


def _requests(objects) -> dict[str, tuple[str, str, dict]]:
    """Per URL name: method, URL of unit A's object, POST data."""
    code = objects["report"].tracking_code
    return {
        "reports:queue": ("get", reverse("reports:queue"), {}),
        "reports:bulk": (
            "post",
            reverse("reports:bulk"),
            {"action": "take-up", "codes": code, "note": "taken"},
        ),
        "reports:detail": ("get", reverse("reports:detail", args=[code]), {}),
        "reports:move": (
            "post",
            reverse("reports:move", args=[code, "take-up"]),
            {"note": "mine now", "seen_status": Status.SUBMITTED},
        ),
        "reports:attachment": (
            "get",
            reverse("reports:attachment", args=[code, objects["attachment"].pk]),
            {},
        ),
        "reports:event-photo": (
            "get",
            reverse("reports:event-photo", args=[code, objects["event"].pk]),
            {},
        ),
        "reports:units": ("get", reverse("reports:units"), {}),
        "reports:unit": ("get", reverse("reports:unit", args=[objects["unit_a"].pk]), {}),
        "accounts:security": ("get", reverse("accounts:security"), {}),
        "accounts:security-start": ("post", reverse("accounts:security-start"), {}),
        "accounts:security-confirm": (
            "post",
            reverse("accounts:security-confirm"),
            {"token": "123456"},
        ),
        "accounts:security-remove": (
            "post",
            reverse("accounts:security-remove"),
            {"token": "123456"},
        ),
    }


def _pattern_names() -> set[str]:
    names = set()
    for module in (reports_urls, accounts_urls):
        for pattern in module.urlpatterns:
            assert isinstance(pattern, URLPattern), "a nested include: list its pages here"
            names.add(f"{module.app_name}:{pattern.name}")
    return names


def test_every_police_page_is_walked_here(two_units):
    assert set(_requests(two_units)) == _pattern_names()


@pytest.mark.parametrize("name", sorted(_pattern_names()))
def test_an_anonymous_visitor_gets_the_sign_in_page(client, two_units, name):
    method, url, data = _requests(two_units)[name]
    response = getattr(client, method)(url, data)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'name="password"' in page.content.decode()


# Pages of one object of unit A: an officer (or supervisor) of unit B gets 404.
OBJECT_PAGES = [
    "reports:detail",
    "reports:move",
    "reports:attachment",
    "reports:event-photo",
    "reports:unit",
]


@pytest.mark.parametrize("who", ["officer_b", "boss_b"])
@pytest.mark.parametrize("name", OBJECT_PAGES)
def test_an_officer_of_another_unit_gets_404_and_none_of_the_data(client, two_units, who, name):
    method, url, data = _requests(two_units)[name]
    client.force_login(two_units[who])

    response = getattr(client, method)(url, data)

    assert response.status_code == 404
    body = response.content
    assert SECRET_NOTE.encode() not in body
    assert b"%PDF" not in body
    assert b"Unit A" not in body
    report = Report.objects.get(pk=two_units["report"].pk)
    assert (report.status, report.events.count()) == (Status.SUBMITTED, 1)


@pytest.mark.parametrize("who", ["officer_b", "boss_b"])
def test_lists_and_bulk_moves_of_another_unit_show_and_change_nothing(client, two_units, who):
    client.force_login(two_units[who])
    requests = _requests(two_units)

    queue = client.get(requests["reports:queue"][1])
    _, bulk_url, bulk_data = requests["reports:bulk"]
    bulk = client.post(bulk_url, bulk_data, follow=True)

    assert queue.status_code == 200
    assert list(queue.context["rows"]) == []
    assert two_units["report"].tracking_code.encode() not in queue.content
    assert bulk.status_code == 200
    assert "no such report in your areas" in bulk.content.decode()
    report = Report.objects.get(pk=two_units["report"].pk)
    assert (report.status, report.events.count()) == (Status.SUBMITTED, 1)


def test_the_units_list_of_another_regions_supervisor_leaves_unit_a_out(client, two_units):
    client.force_login(two_units["boss_b"])
    response = client.get(reverse("reports:units"))
    assert response.status_code == 200
    assert [item.unit.name for item in response.context["items"]] == ["Unit B"]
    assert b"Unit A" not in response.content


def test_an_officers_security_page_is_their_own(client, two_units):
    # The security pages have no object in the URL: each user sees and changes only their own
    # authenticator app, so unit B's officer starting one leaves unit A's officer without.
    client.force_login(two_units["officer_b"])
    client.post(reverse("accounts:security-start"))
    client.force_login(two_units["officer_a"])
    page = client.get(reverse("accounts:security"))
    assert 'data-second-factor="off"' in page.content.decode()


def test_the_reach_follows_the_assignment_in_force(client, two_units, settings):
    # Officer A's assignment ended yesterday: their own unit's report is now a 404 for them.
    officer = two_units["officer_a"].officer
    officer.assignments.update(ends_on=dt.date.today() - dt.timedelta(days=1))
    client.force_login(two_units["officer_a"])
    _, url, _ = _requests(two_units)["reports:detail"]
    assert client.get(url).status_code == 404
