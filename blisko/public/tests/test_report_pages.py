"""The resident's report pages, without a browser: /report/, /report/<code>/, /report/track/."""

import datetime as dt
import re
from html import unescape

import pytest
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext

from blisko.officers.tests.factories import AreaFactory
from blisko.reports.models import Attachment, Category, Report, ReportEvent
from blisko.reports.services.submit import report_submit
from blisko.reports.tests.factories import ReportFactory
from blisko.reports.tests.uploads import (
    PDF_BYTES,
    empty_file,
    photo,
    six_megabytes,
    stored_files,
    text_named_jpeg,
    upload,
)
from blisko.territories.models import Country
from conftest import BLACK_SEA, KONIN_CENTRE

pytestmark = pytest.mark.django_db

LANGUAGES = ("uk", "pl", "en")


def form(**changes):
    data = {
        "category": "vandalism",
        "lat": str(KONIN_CENTRE[1]),
        "lon": str(KONIN_CENTRE[0]),
        "description": "Graffiti on the school wall",
        "occurred_at": "",
        "email": "",
        "idempotency_key": "a1b2c3d4e5f60718293a4b5c6d7e8f90",
        "website": "",
    }
    data.update(changes)
    return data


def send(client, language="en", **changes):
    return client.post("/report/", form(**changes), headers={"accept-language": language})


def field_errors(response) -> dict[str, list[str]]:
    html = response.content.decode()
    found: dict[str, list[str]] = {}
    for name, message in re.findall(r'data-field-error="(\w+)">([^<]*)<', html):
        found.setdefault(name, []).append(unescape(message))
    return found


def assert_nothing_stored(before: set[str]) -> None:
    assert Report.objects.count() == 0
    assert ReportEvent.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert stored_files() == before


# --- the form -------------------------------------------------------------------------------


def test_the_form_warns_it_is_not_for_emergencies_before_anything_else(client):
    response = client.get("/report/", headers={"accept-language": "en"})
    assert response.status_code == 200
    html = response.content.decode()
    notice = html.index("data-emergency")
    assert notice < html.index('<form class="report-form"')
    assert "112" in html[notice : notice + 600]
    assert "This is not for emergencies" in html
    # Again right by the button.
    assert html.index("Not for emergencies: call 112.") < html.index("data-report-send")


def test_the_form_says_how_long_the_email_is_kept(client, settings):
    settings.BLISKO_REPORT_EMAIL_RETENTION_DAYS = 45
    html = client.get("/report/", headers={"accept-language": "en"}).content.decode()
    assert "It is deleted 45 days after the report is closed." in html


def test_the_form_groups_the_active_categories_with_translated_names(client):
    Category.objects.filter(code="begging").update(is_active=False)
    for language, vandalism, speeding in (
        ("uk", "Акти вандалізму", "Перевищення дозволеної швидкості"),
        ("pl", "Akty wandalizmu", "Przekraczanie dozwolonej prędkości"),
        ("en", "Vandalism", "Speeding"),
    ):
        html = client.get("/report/", headers={"accept-language": language}).content.decode()
        groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', html, re.S)
        assert len(groups) == 2
        local, traffic = (body for _label, body in groups)
        assert vandalism in local and speeding in traffic
        assert 'value="begging"' not in html
        assert len(re.findall(r'<option value="[a-z-]+"', html)) == 26


def test_the_form_works_without_javascript(client):
    html = client.get("/report/").content.decode()
    assert 'enctype="multipart/form-data"' in html
    for name in ("category", "lat", "lon", "occurred_at", "description", "files", "email"):
        assert f'name="{name}"' in html
    assert 'name="website"' in html and 'tabindex="-1"' in html  # the honeypot
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', html)
    assert key, "each form carries its own idempotency key"
    assert "0 of 500 characters" in html
    assert (
        'multiple accept="image/jpeg,image/png,application/pdf,video/mp4,video/quicktime"' in html
    )
    assert "PDFs and videos are seen by police only" in html


def test_the_site_navigation_leads_to_the_form(client):
    html = client.get("/", headers={"accept-language": "en"}).content.decode()
    assert re.search(r'<a class="site-nav__link" href="/report/"[^>]*>Report a threat</a>', html)


# --- sending ------------------------------------------------------------------------------


def test_a_sent_report_leads_to_its_page_with_the_code_to_keep(client):
    response = send(client, files=[photo(), upload("plan.pdf", PDF_BYTES)])
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/report/{report.tracking_code}/?sent=1"
    assert report.client_ip == "127.0.0.1"
    assert report.idempotency_key == "a1b2c3d4e5f60718293a4b5c6d7e8f90"

    page = client.get(response["Location"], headers={"accept-language": "en"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "your report was sent" in html
    assert f"data-tracking-code>{report.tracking_code}</h1>" in html
    assert 'data-status="submitted"' in html and "status-colour--submitted" in html
    assert "<dd data-category>Vandalism</dd>" in html
    assert "expected by" in html
    assert "· resident" in html
    assert html.count("<img src=") == 1  # the photo's public copy; the PDF is police only
    assert "1 file (PDF or video) is seen by police only." in html
    assert 'content="no-referrer"' in html and 'content="noindex"' in html


def test_sending_the_same_form_twice_makes_one_report(client):
    first = send(client)
    again = send(client)
    assert first["Location"] == again["Location"]
    assert Report.objects.count() == 1


def test_the_time_typed_is_read_in_the_browsers_time_zone(client):
    # 18:45 in Konin in January is 17:45 UTC; the script sends getTimezoneOffset() = -60.
    send(client, occurred_at="2026-01-05T18:45", tz_offset="-60")
    occurred = Report.objects.get().occurred_at
    assert occurred.isoformat() == "2026-01-05T17:45:00+00:00"


def test_html_typed_in_the_description_is_shown_escaped(client):
    text = '<script>alert("x")</script><b>bold</b>'
    response = send(client, description=text)
    html = client.get(response["Location"]).content.decode()
    assert "<script>alert" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html
    assert Report.objects.get().description == text

    # Also in the form it comes back to after a refusal.
    refused = send(client, description=text, category="")
    body = refused.content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


# --- bad input: errors next to the fields, what was typed kept, nothing stored ------------


def test_every_mistake_is_shown_next_to_its_field_with_what_was_typed_kept(client):
    before = stored_files()
    response = send(
        client,
        category="",
        lat="",
        lon="",
        description="x" * 501,
        email="not an address",
        occurred_at="2999-01-01T10:00",
        files=[photo()],
    )
    assert response.status_code == 400
    errors = field_errors(response)
    assert set(errors) == {"category", "location", "description", "email", "occurred_at"}
    assert errors["description"] == [
        "The description can be at most 500 characters long; it has 501."
    ]
    html = response.content.decode()
    assert ">" + "x" * 501 + "</textarea>" in html
    assert 'value="not an address"' in html
    assert 'value="2999-01-01T10:00"' in html
    assert "501 of 500 characters" in html
    assert "Choose the files again" in html
    assert 'name="idempotency_key" value="a1b2c3d4e5f60718293a4b5c6d7e8f90"' in html
    assert 'aria-invalid="true"' in html and "data-error-summary" in html
    assert_nothing_stored(before)


def test_a_place_outside_every_territory_is_refused_on_the_map_field(client):
    response = send(client, lat=str(BLACK_SEA[1]), lon=str(BLACK_SEA[0]))
    assert response.status_code == 400
    assert "outside every territory" in field_errors(response)["location"][0]
    html = response.content.decode()
    assert f'value="{BLACK_SEA[1]}"' in html and f'value="{BLACK_SEA[0]}"' in html
    assert Report.objects.count() == 0


def test_the_chosen_category_stays_chosen_after_a_refusal(client):
    response = send(client, category="speeding", lat="")
    assert '<option value="speeding" data-precision="exact" selected>' in response.content.decode()


def test_an_unknown_or_retired_category_is_refused(client):
    assert "category" in field_errors(send(client, category="ufo"))
    Category.objects.filter(code="vandalism").update(is_active=False)
    assert "no longer used" in field_errors(send(client))["category"][0]
    assert Report.objects.count() == 0


@pytest.mark.parametrize(
    "files, says",
    [
        ([text_named_jpeg()], "is not a JPEG or PNG photo"),
        ([six_megabytes()], "is larger than"),
        ([empty_file()], "is empty"),
        ([photo(), photo(), photo(), photo()], "at most 3 files"),
    ],
    ids=["text-named-jpg", "six-megabytes", "empty", "fourth-file"],
)
def test_a_bad_file_is_refused_next_to_the_files_field_and_nothing_is_stored(client, files, says):
    before = stored_files()
    response = send(client, files=files)
    assert response.status_code == 400
    assert says in field_errors(response)["files"][0]
    assert_nothing_stored(before)


def test_a_filled_honeypot_is_refused_with_a_general_message(client):
    response = send(client, website="http://spam.example")
    assert response.status_code == 400
    html = response.content.decode()
    assert "data-general-error>The report could not be accepted." in html
    assert field_errors(response) == {}
    assert Report.objects.count() == 0


@override_settings(BLISKO_REPORT_DAILY_LIMIT=1)
def test_the_daily_limit_is_explained_at_the_top_of_the_form(client):
    assert send(client).status_code == 302
    response = send(client, idempotency_key="another-form")
    assert response.status_code == 429
    assert "You have already sent 1 report today" in response.content.decode()
    assert Report.objects.count() == 1


def test_a_form_sent_again_after_changes_gets_a_new_key_and_a_clear_message(client):
    send(client)
    response = send(client, description="changed after going back")
    assert response.status_code == 422
    html = response.content.decode()
    assert "already used for a different report" in html
    assert 'name="idempotency_key" value="a1b2c3d4e5f60718293a4b5c6d7e8f90"' not in html
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', html).group(1)
    assert (
        send(client, description="changed after going back", idempotency_key=key).status_code == 302
    )
    assert Report.objects.count() == 2


def test_errors_are_worded_in_the_language_of_the_page(client):
    msgid = "Choose a category."
    messages = {}
    for language in LANGUAGES:
        response = send(client, language=language, category="")
        with translation.override(language):
            expected = gettext(msgid)
        assert field_errors(response)["category"] == [expected]
        messages[language] = expected
    with translation.override("pl"):
        if gettext(msgid) != msgid:
            assert len(set(messages.values())) == 3


# --- following a report --------------------------------------------------------------------


def test_the_page_of_a_hidden_category_shows_no_place(client):
    report = report_submit(
        category_code="drug-use", lon=KONIN_CENTRE[0], lat=KONIN_CENTRE[1], client_ip="10.0.0.1"
    )
    html = client.get(f"/report/{report.tracking_code}/").content.decode()
    assert "data-location-hidden" in html
    assert "data-lat=" not in html
    assert "52.2230" not in html and "18.2513" not in html


def test_the_page_of_a_reduced_category_shows_the_cell_not_the_point(client):
    report = report_submit(
        category_code="homeless-in-need", lon=18.251234, lat=52.223456, client_ip="10.0.0.1"
    )
    html = client.get(f"/report/{report.tracking_code}/").content.decode()
    assert 'data-approximate="1"' in html
    assert "52.223456" not in html and "18.251234" not in html


def test_a_code_typed_loosely_leads_to_the_report(client):
    report = report_submit(
        category_code="vandalism", lon=KONIN_CENTRE[0], lat=KONIN_CENTRE[1], client_ip=None
    )
    loose = report.tracking_code.lower().replace("-", " ")
    response = client.get("/report/track/", {"code": loose})
    assert response.status_code == 302
    assert response["Location"] == f"/report/{report.tracking_code}/"
    response = client.get(f"/report/{report.tracking_code.lower()}/")
    assert response["Location"] == f"/report/{report.tracking_code}/"


def test_an_unknown_code_is_a_clear_404_with_the_form_to_try_again(client):
    response = client.get("/report/AAAA-BBBB-CCCC/", headers={"accept-language": "en"})
    assert response.status_code == 404
    html = response.content.decode()
    assert "No report has this tracking code" in html
    assert 'value="AAAA-BBBB-CCCC"' in html
    response = client.get("/report/track/", {"code": "abc"}, headers={"accept-language": "en"})
    assert response.status_code == 400
    assert "12 letters and digits" in response.content.decode()
    assert client.get("/report/track/").status_code == 200


def test_the_report_pages_accept_only_what_they_are_for(client):
    assert client.put("/report/").status_code == 405
    assert client.delete("/report/").status_code == 405
    report = report_submit(
        category_code="vandalism", lon=KONIN_CENTRE[0], lat=KONIN_CENTRE[1], client_ip=None
    )
    assert client.post(f"/report/{report.tracking_code}/").status_code == 405


def test_the_page_shows_times_on_the_clock_of_the_reports_country(client):
    # 10:30 UTC on 2 June 2025 is 12:30 in Warsaw and 13:30 in Kyiv.
    sent = dt.datetime(2025, 6, 2, 10, 30, tzinfo=dt.UTC)
    konin = AreaFactory(country=Country.POLAND, centre=(18.25, 52.22))
    vinnytsia = AreaFactory(centre=(28.47, 49.23))
    shown = {}
    for name, area in (("konin", konin), ("vinnytsia", vinnytsia)):
        report = ReportFactory(area=area, created_at=sent)
        ReportEvent.objects.create(report=report, action="submitted", to_status="submitted")
        ReportEvent.objects.filter(report=report).update(at=sent)
        page = client.get(f"/report/{report.tracking_code}/", HTTP_ACCEPT_LANGUAGE="en")
        shown[name] = unescape(page.content.decode())
    assert "12:30 p.m." in shown["konin"] and "1:30 p.m." not in shown["konin"]
    assert "1:30 p.m." in shown["vinnytsia"] and "12:30 p.m." not in shown["vinnytsia"]
