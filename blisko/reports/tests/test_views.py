"""Police pages: the work queue, one report and its moves, bulk actions, the units' view.

Each page: anonymous → login; an officer of another area → 404 (or 403 for the supervisor's
view); refusals of the services shown on the page with their status, never a 500.
"""

import datetime as dt
import io
import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from blisko.officers.models import Role
from blisko.officers.tests.factories import AreaFactory, UnitFactory
from blisko.reports.models import STATUS_COLOURS, Attachment, Report, ReportEvent, Status
from blisko.reports.tests.factories import ReportFactory
from blisko.reports.tests.police import PASSWORD, police_user, region_with_communities
from blisko.reports.views import QUEUE_PAGE_SIZE
from blisko.territories.models import Country

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def beat():
    """An officer's area, the officer (logged in through `client`), and another area."""
    area, other = AreaFactory(), AreaFactory()
    user = police_user(area=area, username="kowalska")
    stranger = police_user(area=other, username="stranger")
    return {"area": area, "other": other, "user": user, "stranger": stranger}


@pytest.fixture
def officer_client(client, beat):
    client.force_login(beat["user"])
    return client


def refusals(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if "refusal" in m.extra_tags]


def successes(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "success"]


# --- sign-in ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "name", "kwargs"),
    [
        ("get", "reports:queue", {}),
        ("post", "reports:bulk", {}),
        ("get", "reports:detail", {"tracking_code": "TEST-0000-0000"}),
        ("post", "reports:move", {"tracking_code": "TEST-0000-0000", "move": "take-up"}),
        ("get", "reports:attachment", {"tracking_code": "TEST-0000-0000", "attachment_id": 1}),
        ("get", "reports:event-photo", {"tracking_code": "TEST-0000-0000", "event_id": 1}),
        ("get", "reports:units", {}),
        ("get", "reports:unit", {"unit_id": 1}),
    ],
)
def test_every_police_page_sends_an_anonymous_visitor_to_sign_in(client, method, name, kwargs):
    url = reverse(name, kwargs=kwargs)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_the_sign_in_page_signs_an_officer_in_and_opens_the_queue(client, beat):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert 'name="username"' in page.content.decode()

    wrong = client.post(reverse("login"), {"username": "kowalska", "password": "nope"})
    assert wrong.status_code == 200
    assert "data-login-error" in wrong.content.decode()

    response = client.post(reverse("login"), {"username": "kowalska", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:queue")


# --- the queue ----------------------------------------------------------------------------


def test_the_queue_lists_the_officers_reports_with_their_exact_points(officer_client, beat):
    mine = ReportFactory(area=beat["area"], tracking_code="MINE-0000-0001", seen_count=4)
    ReportFactory(area=beat["other"], tracking_code="THEM-0000-0001")

    response = officer_client.get(reverse("reports:queue"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "MINE-0000-0001" in html
    assert "THEM-0000-0001" not in html
    assert [row.tracking_code for row in response.context["rows"]] == [mine.tracking_code]
    (point,) = response.context["points"]
    assert point["lon"] == pytest.approx(mine.location.x)
    assert point["lat"] == pytest.approx(mine.location.y)
    assert point["colour"] == STATUS_COLOURS[Status.SUBMITTED]
    assert point["url"] == reverse("reports:detail", args=[mine.tracking_code])
    assert re.search(r"data-seen>(<div class=\"cell\">)?4<", html)


def test_the_queue_reads_its_filters_from_the_query_string(officer_client, beat):
    ReportFactory(area=beat["area"], tracking_code="OPEN-0000-0001")
    ReportFactory(area=beat["area"], status=Status.RESOLVED, tracking_code="DONE-0000-0001")

    closed = officer_client.get(reverse("reports:queue"), {"status": "closed"})
    search = officer_client.get(reverse("reports:queue"), {"status": "all", "q": "done"})

    assert [r.tracking_code for r in closed.context["rows"]] == ["DONE-0000-0001"]
    assert [r.tracking_code for r in search.context["rows"]] == ["DONE-0000-0001"]


def test_bad_filters_are_explained_and_the_rest_still_apply(officer_client, beat):
    ReportFactory(area=beat["area"], tracking_code="OPEN-0000-0001")
    response = officer_client.get(
        reverse("reports:queue"),
        {"status": "nonsense", "created_from": "2026-02-30", "area": beat["other"].pk},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"status", "created_from", "area"}
    assert [r.tracking_code for r in response.context["rows"]] == ["OPEN-0000-0001"]


def test_the_queue_shows_50_reports_a_page(officer_client, beat):
    for _ in range(QUEUE_PAGE_SIZE + 1):
        ReportFactory(area=beat["area"])
    first = officer_client.get(reverse("reports:queue"))
    second = officer_client.get(reverse("reports:queue"), {"page": 2})
    assert len(first.context["rows"]) == QUEUE_PAGE_SIZE
    assert len(second.context["rows"]) == 1
    assert 'rel="next"' in first.content.decode()


# --- bulk actions -------------------------------------------------------------------------


def test_bulk_take_up_does_the_allowed_rows_and_lists_each_refused_one(officer_client, beat):
    one = ReportFactory(area=beat["area"], tracking_code="BULK-0000-0001")
    two = ReportFactory(area=beat["area"], tracking_code="BULK-0000-0002")
    taken = ReportFactory(
        area=beat["area"], status=Status.IN_VERIFICATION, tracking_code="BULK-0000-0003"
    )
    foreign = ReportFactory(area=beat["other"], tracking_code="BULK-0000-0004")
    back = reverse("reports:queue") + "?status=all"

    response = officer_client.post(
        reverse("reports:bulk"),
        {
            "action": "take-up",
            "codes": [one.tracking_code, two.tracking_code, taken.tracking_code, "BULK-0000-0004"],
            "note": "Patrol goes tonight",
            "next": back,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == back
    statuses = dict(Report.objects.values_list("tracking_code", "status"))
    assert statuses[one.tracking_code] == Status.IN_VERIFICATION
    assert statuses[two.tracking_code] == Status.IN_VERIFICATION
    assert statuses[foreign.tracking_code] == Status.SUBMITTED
    assert ReportEvent.objects.filter(report=one, note="Patrol goes tonight").exists()
    assert successes(response) == ["2 reports taken up."]
    refused = refusals(response)
    assert len(refused) == 2
    assert refused[0].startswith("BULK-0000-0003: ")
    assert refused[1] == "BULK-0000-0004: there is no such report in your areas."


def test_bulk_not_confirmed_applies_to_reports_in_verification_only(officer_client, beat):
    checking = ReportFactory(area=beat["area"], status=Status.IN_VERIFICATION)
    fresh = ReportFactory(area=beat["area"])
    response = officer_client.post(
        reverse("reports:bulk"),
        {"action": "not-confirm", "codes": [checking.tracking_code, fresh.tracking_code]},
    )
    checking.refresh_from_db()
    fresh.refresh_from_db()
    assert checking.status == Status.NOT_CONFIRMED
    assert fresh.status == Status.SUBMITTED
    assert successes(response) == ["1 report marked as not confirmed."]
    assert len(refusals(response)) == 1


def test_bulk_without_ticked_rows_or_with_a_foreign_next_stays_on_the_queue(officer_client):
    response = officer_client.post(
        reverse("reports:bulk"), {"action": "take-up", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:queue")
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Tick at least one report."]


def test_the_bulk_page_takes_no_get(officer_client):
    assert officer_client.get(reverse("reports:bulk")).status_code == 405


# --- one report ---------------------------------------------------------------------------


def test_the_report_page_shows_what_police_may_see(officer_client, beat):
    report = ReportFactory(
        area=beat["area"],
        reporter_email="resident@example.com",
        description='<script>alert("x")</script> broken bench',
    )
    Attachment.objects.create(
        report=report,
        file=ContentFile(png_bytes(), name="original.png"),
        content_type="image/png",
        size=len(png_bytes()),
        sha256="0" * 64,
    )

    response = officer_client.get(reverse("reports:detail", args=[report.tracking_code]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "resident@example.com" in html
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    assert f"{report.location.y:.6f}, {report.location.x:.6f}" in html
    assert reverse("reports:attachment", args=[report.tracking_code, 1]).rsplit("/", 2)[0] in html
    (point,) = response.context["points"]
    assert (point["lon"], point["lat"]) == (
        pytest.approx(report.location.x),
        pytest.approx(report.location.y),
    )


def test_a_report_of_another_area_is_not_found(officer_client, beat):
    foreign = ReportFactory(area=beat["other"])
    response = officer_client.get(reverse("reports:detail", args=[foreign.tracking_code]))
    assert response.status_code == 404


def test_the_page_offers_only_the_moves_the_status_allows(officer_client, beat):
    def moves(status: str) -> set[str]:
        report = ReportFactory(area=beat["area"], status=status)
        response = officer_client.get(reverse("reports:detail", args=[report.tracking_code]))
        return {item["move"].name for item in response.context["moves"]}

    assert moves(Status.SUBMITTED) == {"take-up", "duplicate", "note"}
    assert moves(Status.IN_VERIFICATION) == {"confirm", "not-confirm", "duplicate", "note"}
    assert moves(Status.CONFIRMED) == {"resolve", "refer", "duplicate", "note"}
    assert moves(Status.RESOLVED) == {"note"}


def test_taking_up_and_confirming_a_report_records_who_did_it(officer_client, beat):
    report = ReportFactory(area=beat["area"])
    url = lambda move: reverse("reports:move", args=[report.tracking_code, move])  # noqa: E731

    taken = officer_client.post(url("take-up"), {"note": "On my way"})
    confirmed = officer_client.post(url("confirm"), {"note": "Seen it"})

    assert taken.status_code == 302
    assert confirmed["Location"] == reverse("reports:detail", args=[report.tracking_code])
    report.refresh_from_db()
    assert report.status == Status.CONFIRMED
    page = officer_client.get(reverse("reports:detail", args=[report.tracking_code]))
    events = [entry.event for entry in page.context["history"]]
    assert [(e.from_status, e.to_status, e.actor) for e in events] == [
        (Status.SUBMITTED, Status.IN_VERIFICATION, beat["user"]),
        (Status.IN_VERIFICATION, Status.CONFIRMED, beat["user"]),
    ]
    assert "Seen it" in page.content.decode()
    assert successes(page) == [
        "You took the report up: it is now in verification.",
        "The threat is confirmed.",
    ]


def test_the_history_names_the_resident_and_moves_imported_from_another_system(
    officer_client, beat
):
    report = ReportFactory(area=beat["area"], status=Status.CONFIRMED)
    ReportEvent.objects.create(report=report, action="submitted", to_status=Status.SUBMITTED)
    ReportEvent.objects.create(
        report=report,
        action="status_changed",
        from_status=Status.SUBMITTED,
        to_status=Status.CONFIRMED,
    )
    ReportEvent.objects.create(report=report, action="escalated", is_public=False)

    page = officer_client.get(reverse("reports:detail", args=[report.tracking_code]))

    rows = re.findall(
        r'<tr data-event="(\w+)">.*?data-label="Who"><div class="cell">(.*?)</div>',
        page.content.decode(),
        re.S,
    )
    who = [(action, re.sub(r"<[^>]+>", "", cell)) for action, cell in rows]
    assert who == [
        ("submitted", "resident"),
        ("status_changed", "imported from another system"),
        ("escalated", "the system"),
    ]


def test_a_move_the_table_forbids_is_refused_on_the_page(officer_client, beat):
    report = ReportFactory(area=beat["area"])
    response = officer_client.post(
        reverse("reports:move", args=[report.tracking_code, "confirm"]), {"note": ""}
    )
    assert response.status_code == 400
    assert "cannot become" in response.content.decode()
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    assert not ReportEvent.objects.filter(report=report).exists()


def test_a_move_from_a_page_left_open_while_someone_else_moved_the_report_is_a_409(
    officer_client, beat
):
    report = ReportFactory(area=beat["area"])
    page = officer_client.get(reverse("reports:detail", args=[report.tracking_code]))
    assert 'name="seen_status" value="submitted"' in page.content.decode()
    Report.objects.filter(pk=report.pk).update(status=Status.IN_VERIFICATION)

    response = officer_client.post(
        reverse("reports:move", args=[report.tracking_code, "not-confirm"]),
        {"note": "Nothing there", "seen_status": Status.SUBMITTED},
    )

    assert response.status_code == 409
    assert "Someone else has just changed this report" in response.content.decode()
    report.refresh_from_db()
    assert report.status == Status.IN_VERIFICATION
    assert not ReportEvent.objects.filter(report=report).exists()


def test_an_officer_cannot_act_on_a_report_of_another_area(officer_client, beat):
    foreign = ReportFactory(area=beat["other"])
    response = officer_client.post(
        reverse("reports:move", args=[foreign.tracking_code, "take-up"]), {}
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Status.SUBMITTED


def test_an_unknown_move_is_not_found(officer_client, beat):
    report = ReportFactory(area=beat["area"])
    response = officer_client.post(reverse("reports:move", args=[report.tracking_code, "burn"]))
    assert response.status_code == 404


def test_referring_needs_the_name_of_the_body(officer_client, beat):
    report = ReportFactory(area=beat["area"], status=Status.CONFIRMED)
    url = reverse("reports:move", args=[report.tracking_code, "refer"])

    missing = officer_client.post(url, {"referred_to": "  "})
    done = officer_client.post(url, {"referred_to": "Zarząd Dróg Powiatowych"})

    assert missing.status_code == 400
    assert 'data-field-error="referred_to"' in missing.content.decode()
    assert done.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.referred_to) == (Status.REFERRED, "Zarząd Dróg Powiatowych")


def test_a_duplicate_names_its_original_by_code(officer_client, beat):
    original = ReportFactory(area=beat["area"], tracking_code="ORIG-0000-0001")
    copy = ReportFactory(area=beat["area"])
    foreign = ReportFactory(area=beat["other"], tracking_code="FORE-0000-0001")
    url = reverse("reports:move", args=[copy.tracking_code, "duplicate"])

    unknown = officer_client.post(url, {"duplicate_of": foreign.tracking_code})
    done = officer_client.post(url, {"duplicate_of": "orig-0000-0001"})

    assert unknown.status_code == 400
    assert "no report with this code in your areas" in unknown.content.decode()
    assert done.status_code == 302
    copy.refresh_from_db()
    assert (copy.status, copy.duplicate_of) == (Status.DUPLICATE, original)


def test_a_note_with_a_photo_is_added_and_the_photo_opens_for_police(officer_client, beat):
    report = ReportFactory(area=beat["area"], status=Status.RESOLVED)
    photo = SimpleUploadedFile("place.png", png_bytes(), content_type="image/png")

    response = officer_client.post(
        reverse("reports:move", args=[report.tracking_code, "note"]),
        {"note": "Bench repaired", "photo": photo},
    )

    assert response.status_code == 302
    event = ReportEvent.objects.get(report=report, action="note")
    assert (event.note, event.is_public, bool(event.photo)) == ("Bench repaired", False, True)
    photo_url = reverse("reports:event-photo", args=[report.tracking_code, event.pk])
    opened = officer_client.get(photo_url)
    assert opened.status_code == 200
    assert b"".join(opened.streaming_content).startswith(b"\x89PNG")


def test_a_photo_that_is_not_an_image_is_refused_with_nothing_stored(officer_client, beat):
    report = ReportFactory(area=beat["area"], status=Status.IN_VERIFICATION)
    fake = SimpleUploadedFile("place.jpg", b"not an image at all", content_type="image/jpeg")

    response = officer_client.post(
        reverse("reports:move", args=[report.tracking_code, "confirm"]),
        {"note": "x", "photo": fake},
    )

    assert response.status_code == 400
    assert 'data-field-error="photo"' in response.content.decode()
    report.refresh_from_db()
    assert report.status == Status.IN_VERIFICATION
    assert not ReportEvent.objects.filter(report=report).exists()


def test_the_original_attachment_opens_for_the_areas_police_only(client, beat):
    report = ReportFactory(area=beat["area"])
    item = Attachment.objects.create(
        report=report,
        file=ContentFile(b"%PDF-1.4 original", name="statement.pdf"),
        content_type="application/pdf",
        size=17,
        sha256="0" * 64,
    )
    url = reverse("reports:attachment", args=[report.tracking_code, item.pk])

    client.force_login(beat["user"])
    opened = client.get(url)
    assert opened.status_code == 200
    assert opened["Content-Type"] == "application/pdf"
    assert "attachment" in opened["Content-Disposition"]

    client.force_login(beat["stranger"])
    assert client.get(url).status_code == 404


# --- the supervisor's view ----------------------------------------------------------------


@pytest.fixture
def supervised():
    region, (first, second) = region_with_communities(2)
    unit = UnitFactory(area=region, name="Komenda Powiatowa")
    supervisor = police_user(area=region, role=Role.SUPERVISOR, unit=unit, username="boss")
    officer = police_user(area=first, unit=unit, username="beat-officer")
    other_region, _ = region_with_communities(1)
    other_unit = UnitFactory(area=other_region, name="Elsewhere unit")
    ReportFactory(area=first, assigned_unit=unit)
    ReportFactory(area=second, assigned_unit=unit)
    return {
        "unit": unit,
        "other_unit": other_unit,
        "supervisor": supervisor,
        "officer": officer,
        "first": first,
    }


def test_a_supervisor_sees_the_units_of_their_region(client, supervised):
    client.force_login(supervised["supervisor"])

    listing = client.get(reverse("reports:units"))
    page = client.get(reverse("reports:unit", args=[supervised["unit"].pk]))

    assert listing.status_code == 200
    assert [item.unit for item in listing.context["items"]] == [supervised["unit"]]
    assert "Elsewhere unit" not in listing.content.decode()
    assert page.status_code == 200
    assert page.context["item"].stats.open == 2
    assert len(page.context["item"].areas) == 2


def test_a_supervisor_cannot_open_a_unit_of_another_region(client, supervised):
    client.force_login(supervised["supervisor"])
    response = client.get(reverse("reports:unit", args=[supervised["other_unit"].pk]))
    assert response.status_code == 404


def test_an_officer_who_is_not_a_supervisor_is_refused_the_units_view(client, supervised):
    client.force_login(supervised["officer"])
    assert client.get(reverse("reports:units")).status_code == 403
    # One unit's page: like a unit outside their reach (404, blisko/reports/tests/test_views_reach.py).
    assert client.get(reverse("reports:unit", args=[supervised["unit"].pk])).status_code == 404


def test_a_supervisor_works_the_reports_of_the_whole_region(client, supervised):
    client.force_login(supervised["supervisor"])
    response = client.get(reverse("reports:queue"))
    assert len(response.context["rows"]) == 2
    assert "data-select-all" in response.content.decode()


def test_an_administrator_sees_every_unit(client, supervised):
    admin = get_user_model().objects.create_superuser(username="root", password="x-Pass-981")
    client.force_login(admin)
    response = client.get(reverse("reports:units"))
    units = {item.unit for item in response.context["items"]}
    assert {supervised["unit"], supervised["other_unit"]} <= units


# --- languages ----------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["uk", "pl", "en"])
def test_the_queue_answers_in_the_language_asked_for(officer_client, language):
    response = officer_client.get(reverse("reports:queue"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()


def test_the_queue_page_costs_the_same_few_queries_for_any_number_of_rows(
    officer_client, beat, django_assert_max_num_queries
):
    for _ in range(3):
        ReportFactory(area=beat["area"])
    with django_assert_max_num_queries(20) as few:
        officer_client.get(reverse("reports:queue"))
    for _ in range(30):
        ReportFactory(area=beat["area"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        officer_client.get(reverse("reports:queue"))


def test_police_see_times_on_the_clock_of_their_country(client):
    # 10:30 UTC on 2 June 2025 is 12:30 in Warsaw and 13:30 in Kyiv.
    sent = dt.datetime(2025, 6, 2, 10, 30, tzinfo=dt.UTC)
    konin = AreaFactory(country=Country.POLAND, centre=(18.25, 52.22))
    user = police_user(area=konin, username="dzielnicowy", unit=UnitFactory(country=Country.POLAND))
    report = ReportFactory(area=konin, created_at=sent)
    client.force_login(user)

    queue = unescape(
        client.get(reverse("reports:queue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    page = unescape(
        client.get(
            reverse("reports:detail", args=[report.tracking_code]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    )

    for html in (queue, page):
        assert "12:30 p.m." in html and "1:30 p.m." not in html
