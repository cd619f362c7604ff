"""The presence pages: status and permission of each; recording, correcting and deleting a day
with the refusals re-rendered under their status codes; the supervisor's team with flags and
sorting; the CSV import's dry run and commit."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from blisko.core.models import AuditEvent
from blisko.core.roles import ANALYST
from blisko.engagement.models import PresenceDay
from blisko.engagement.selectors.presence import month_add, month_start
from blisko.engagement.tests.presence_data import (
    csv_bytes,
    last_month,
    officer,
    record,
    team,
    today,
    user,
)
from blisko.officers.models import Role
from blisko.officers.tests.factories import AreaFactory, AssignmentFactory

pytestmark = pytest.mark.django_db

OWN = "/police/presence/"
TEAM = "/police/presence/team/"
IMPORT = "/police/presence/import/"


def _officer_url(of) -> str:
    return f"/police/presence/officer/{of.pk}/"


def signed_in(client, account):
    client.force_login(account)
    return client


def _day(t, back: int = 2) -> dt.date:
    return today(t.officer) - dt.timedelta(days=back)


def _post_day(client, url, day, hours_in="8", hours_out="", reason="", note=""):
    return client.post(
        url,
        {
            "action": "record",
            "day": day.isoformat(),
            "hours_in": hours_in,
            "hours_out": hours_out,
            "reason_out": reason,
            "note": note,
        },
    )


def _analyst():
    account = user("analyst")
    account.groups.add(Group.objects.get(name=ANALYST))
    return account


# --- sign-in and roles --------------------------------------------------------------------


def test_the_pages_need_a_sign_in(client):
    t = team()
    for url in (OWN, TEAM, IMPORT, _officer_url(t.officer)):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_user_who_is_no_officer_nor_analyst_is_refused(client):
    team()
    signed_in(client, user("clerk"))
    for url in (OWN, TEAM, IMPORT):
        assert client.get(url).status_code == 403


# --- the officer's own month --------------------------------------------------------------


def test_the_officer_sees_their_month_with_an_empty_state_and_the_form(client):
    t = team()
    signed_in(client, t.officer_user)

    response = client.get(OWN)

    assert response.status_code == 200
    html = response.text
    assert "data-empty" in html and "data-record-form" in html
    assert 'aria-current="page"' in html and 'href="/police/presence/"' in html
    assert f'data-month="{today(t.officer):%Y-%m}"' in html and "data-month-next" not in html
    assert f"?month={month_add(month_start(today(t.officer)), -1):%Y-%m}" in html


def test_the_officer_records_a_day_and_sees_it_with_the_share(client):
    t = team()
    signed_in(client, t.officer_user)
    day = _day(t)

    response = _post_day(client, OWN, day, "6,5", "1,5", "training", "Course")

    assert response.status_code == 302 and response["Location"] == f"{OWN}?month={day:%Y-%m}"
    row = PresenceDay.objects.get(officer=t.officer, day=day)
    assert (row.hours_in, row.hours_out, row.reason_out) == (
        Decimal("6.5"),
        Decimal("1.5"),
        "training",
    )
    page = client.get(response["Location"]).text
    assert f'data-day="{day:%Y-%m-%d}" data-recorded' in page
    assert 'data-share="81.3"' in page and 'data-position="inside"' in page
    assert 'data-reason="training"' in page and "data-meter" in page


@pytest.mark.parametrize(
    ("hours_in", "hours_out", "reason", "field"),
    [
        ("25", "", "", "hours_in"),
        ("-2", "", "", "hours_in"),
        ("20", "5", "court", "hours_out"),
        ("6", "2", "", "reason_out"),
        ("8", "0", "court", "reason_out"),
        ("seven", "", "", "hours_in"),
    ],
)
def test_bad_hours_re_render_the_form_with_a_400_and_nothing_written(
    client, hours_in, hours_out, reason, field
):
    t = team()
    signed_in(client, t.officer_user)

    response = _post_day(client, OWN, _day(t), hours_in, hours_out, reason)

    assert response.status_code == 400
    assert f'data-error="{field}"' in response.text
    assert f'value="{hours_in}"' in response.text  # what was typed stays
    assert not PresenceDay.objects.exists()


def test_a_future_day_is_a_400(client):
    t = team()
    signed_in(client, t.officer_user)
    response = _post_day(client, OWN, today(t.officer) + dt.timedelta(days=1))
    assert response.status_code == 400 and 'data-error="day"' in response.text


def test_an_own_day_too_far_back_is_a_403_on_the_page(client):
    t = team()
    signed_in(client, t.officer_user)
    response = _post_day(client, OWN, today(t.officer) - dt.timedelta(days=100))
    assert response.status_code == 403 and 'data-error="day"' in response.text
    assert not PresenceDay.objects.exists()


def test_a_day_that_is_not_a_date_is_a_400(client):
    t = team()
    signed_in(client, t.officer_user)
    response = client.post(OWN, {"action": "record", "day": "yesterday", "hours_in": "8"})
    assert response.status_code == 400 and 'data-error="day"' in response.text


def test_correcting_a_day_prefills_the_form_and_replaces_it(client):
    t = team()
    day = _day(t)
    record(t.officer, day, "8")
    signed_in(client, t.officer_user)

    form = client.get(f"{OWN}?month={day:%Y-%m}&day={day:%Y-%m-%d}").text
    response = _post_day(client, OWN, day, "7", "1", "court")

    assert re.search(r'name="hours_in"[^>]*value="8"', form)
    assert response.status_code == 302
    assert PresenceDay.objects.get().reason_out == "court"


def test_the_officer_deletes_a_day(client):
    t = team()
    day = _day(t)
    record(t.officer, day, "8")
    signed_in(client, t.officer_user)

    response = client.post(OWN, {"action": "delete", "day": day.isoformat()})
    missing = client.post(OWN, {"action": "delete", "day": day.isoformat()})

    assert response.status_code == 302 and not PresenceDay.objects.exists()
    assert missing.status_code == 404 and "data-delete-error" in missing.text
    assert AuditEvent.objects.filter(entity="presence", action="deleted").count() == 1


@pytest.mark.parametrize("month", ["2025-13", "soon", "2999-01"])
def test_a_bad_or_future_month_is_a_400_showing_this_month(client, month):
    t = team()
    signed_in(client, t.officer_user)
    response = client.get(f"{OWN}?month={month}")
    assert response.status_code == 400 and "data-month-error" in response.text
    assert f'data-month="{today(t.officer):%Y-%m}"' in response.text


def test_an_earlier_month_shows_its_days_and_links_to_the_next(client):
    t = team()
    month = last_month(t.officer)
    record(t.officer, month, "8")
    signed_in(client, t.officer_user)
    response = client.get(f"{OWN}?month={month:%Y-%m}")
    assert response.status_code == 200 and "data-month-next" in response.text
    assert f'data-day="{month:%Y-%m-%d}" data-recorded' in response.text


# --- another officer's month --------------------------------------------------------------


def test_another_officers_month_is_a_404_to_who_does_not_supervise_them(client):
    t = team()
    for account in (t.colleague_user, t.stranger_user, t.far_supervisor_user):
        client.force_login(account)
        assert client.get(_officer_url(t.officer)).status_code == 404
        assert _post_day(client, _officer_url(t.officer), _day(t)).status_code == 404
    assert client.get("/police/presence/officer/999999/").status_code == 404
    assert not PresenceDay.objects.exists()


def test_the_supervisor_records_a_day_for_their_officer(client):
    t = team()
    signed_in(client, t.supervisor_user)
    url = _officer_url(t.officer)

    page = client.get(url)
    response = _post_day(client, url, _day(t), "7", "1", "hq_duty")

    assert page.status_code == 200 and "data-record-form" in page.text
    assert response.status_code == 302 and response["Location"].startswith(url)
    row = PresenceDay.objects.get(officer=t.officer)
    assert row.recorded_by == t.supervisor_user and row.reason_out == "hq_duty"
    assert "recorded by" in client.get(response["Location"]).text


def test_the_officers_own_page_under_their_id_is_their_month(client):
    t = team()
    signed_in(client, t.officer_user)
    response = client.get(_officer_url(t.officer) + "?month=2025-01")
    assert response.status_code == 302 and response["Location"] == f"{OWN}?month=2025-01"


def test_an_analyst_reads_an_officers_month_but_records_nothing(client):
    t = team()
    signed_in(client, _analyst())

    page = client.get(_officer_url(t.officer))
    response = _post_day(client, _officer_url(t.officer), _day(t))
    landing = client.get(OWN)

    assert page.status_code == 200 and "data-record-form" not in page.text
    assert response.status_code == 403 and not PresenceDay.objects.exists()
    assert landing.status_code == 302 and landing["Location"] == TEAM


# --- the team -----------------------------------------------------------------------------


def _month_of_shares(t) -> dt.date:
    """Last month: the officer 75 % (flagged, court), the cover 100 %, the colleague nothing."""
    month = last_month(t.officer)
    record(t.officer, month, "6", "2", "court")
    record(t.cover, month, "8")
    return month


def test_the_team_page_is_for_supervisors(client):
    t = team()
    for account in (t.officer_user, t.cover_user):
        client.force_login(account)
        assert client.get(TEAM).status_code == 403
        assert client.get(IMPORT).status_code == 403


def test_the_supervisor_sees_the_officers_flagged_below_the_target_with_reasons(client):
    t = team()
    month = _month_of_shares(t)
    signed_in(client, t.supervisor_user)

    response = client.get(f"{TEAM}?month={month:%Y-%m}")

    assert response.status_code == 200
    html = response.text
    flagged = re.search(rf'<tr[^>]*data-officer="{t.officer.pk}"[^>]*>.*?</tr>', html, re.S)
    assert flagged and "data-flagged" in flagged.group(0)
    assert 'data-share="75.0"' in flagged.group(0) and 'data-reason="court"' in flagged.group(0)
    cover = re.search(rf'<tr[^>]*data-officer="{t.cover.pk}"[^>]*>', html).group(0)
    colleague = re.search(rf'<tr[^>]*data-officer="{t.colleague.pk}"[^>]*>', html).group(0)
    assert "data-flagged" not in cover and 'data-position="above"' in cover
    assert "data-no-records" in colleague
    assert f'data-officer="{t.stranger.pk}"' not in html
    assert 'data-flagged-count="1"' in html and 'data-without-count="1"' in html
    assert f'href="{_officer_url(t.officer)}?month={month:%Y-%m}"' in html
    assert "data-import-link" in html


def test_the_team_sorts_by_share(client):
    t = team()
    month = _month_of_shares(t)
    signed_in(client, t.supervisor_user)

    lowest = client.get(f"{TEAM}?month={month:%Y-%m}&sort=share").text
    highest = client.get(f"{TEAM}?month={month:%Y-%m}&sort=-share").text

    def order(html):
        return [int(i) for i in re.findall(r'<tr[^>]*data-officer="(\d+)"', html)]

    assert order(lowest) == [t.officer.pk, t.cover.pk, t.colleague.pk]
    assert order(highest) == [t.cover.pk, t.officer.pk, t.colleague.pk]
    assert 'aria-sort="descending"' in highest


def test_the_team_page_of_a_bad_month_is_a_400(client):
    t = team()
    signed_in(client, t.supervisor_user)
    assert client.get(f"{TEAM}?month=13-2025").status_code == 400


def test_an_analyst_sees_every_team_read_only(client):
    t = team()
    signed_in(client, _analyst())
    response = client.get(TEAM)
    assert response.status_code == 200 and f'data-officer="{t.stranger.pk}"' in response.text
    assert "data-import-link" not in response.text
    assert client.get(IMPORT).status_code == 403


def test_a_supervisor_without_officers_sees_the_empty_state(client):
    t = team()
    lonely = officer("Lonely")
    AssignmentFactory(
        officer=lonely, area=AreaFactory(level="region", boundary=None), role=Role.SUPERVISOR
    )
    signed_in(client, user("lonely", lonely))
    response = client.get(TEAM)
    assert response.status_code == 200 and "data-empty" in response.text
    assert t.officer.full_name not in response.text


# --- the import ---------------------------------------------------------------------------


def _upload(client, data: bytes, name: str = "presence.csv"):
    return client.post(
        IMPORT,
        {"action": "check", "file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def _rows(t):
    a, b = _day(t, 1), _day(t, 2)
    return [
        [a.isoformat(), t.officer.badge_number, "8", "0", ""],
        [b.isoformat(), t.cover.badge_number, "6", "2", "навчання"],
    ]


def test_the_supervisor_opens_the_import_page(client):
    t = team()
    signed_in(client, t.supervisor_user)
    response = client.get(IMPORT)
    assert response.status_code == 200 and "data-upload-form" in response.text


def test_a_file_with_errors_is_a_400_listing_them_by_line_and_writes_nothing(client):
    t = team()
    signed_in(client, t.supervisor_user)
    rows = _rows(t) + [[_day(t, 3).isoformat(), "GHOST-7", "8", "0", ""]]

    response = _upload(client, csv_bytes(rows))

    assert response.status_code == 400
    assert 'data-error-line="4"' in response.text and "GHOST-7" in response.text
    assert "data-commit-form" not in response.text
    assert not PresenceDay.objects.exists()


def test_a_clean_file_is_checked_then_imported_with_the_button(client):
    t = team()
    signed_in(client, t.supervisor_user)
    data = csv_bytes(_rows(t), delimiter=";", bom=True)

    checked = _upload(client, data)
    assert checked.status_code == 200 and "data-commit-form" in checked.text
    assert 'data-created="2"' in checked.text and not PresenceDay.objects.exists()
    sha256 = re.search(r'name="sha256" value="([0-9a-f]{64})"', checked.text).group(1)

    committed = client.post(IMPORT, {"action": "commit", "sha256": sha256})

    assert committed.status_code == 302 and committed["Location"] == TEAM
    assert PresenceDay.objects.count() == 2
    assert PresenceDay.objects.get(officer=t.cover).reason_out == "training"
    assert AuditEvent.objects.filter(entity="presence", actor=t.supervisor_user).count() == 2
    again = client.post(IMPORT, {"action": "commit", "sha256": sha256})
    assert again.status_code == 400 and "data-commit-error" in again.text


def test_a_commit_without_the_checked_file_is_a_400(client):
    t = team()
    signed_in(client, t.supervisor_user)
    _upload(client, csv_bytes(_rows(t)))
    response = client.post(IMPORT, {"action": "commit", "sha256": "0" * 64})
    assert response.status_code == 400 and not PresenceDay.objects.exists()


def test_a_file_that_is_not_a_presence_csv_is_a_400(client):
    t = team()
    signed_in(client, t.supervisor_user)
    for data in (b"name,phone\nx,1\n", b"\xff\xfe\x00garbage", b""):
        response = _upload(client, data)
        assert response.status_code == 400 and 'data-error="file"' in response.text


def test_a_file_too_large_is_a_400(client, monkeypatch):
    from blisko.engagement import views_presence

    t = team()
    monkeypatch.setattr(views_presence, "IMPORT_MAX_BYTES", 10)
    signed_in(client, t.supervisor_user)
    response = _upload(client, csv_bytes(_rows(t)))
    assert response.status_code == 400 and "larger than" in response.text


def test_the_pages_take_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    t = team()
    month = _month_of_shares(t)
    for n in range(10):
        extra = officer(f"Extra{n:02d}")
        AssignmentFactory(officer=extra, area=t.other_community, role=Role.TRAFFIC_OFFICER)
        record(extra, month, "6", "2", "training")
    for n in range(10):
        record(t.officer, month + dt.timedelta(days=n + 1), "7", "1", "court")
    signed_in(client, t.supervisor_user)
    with django_assert_max_num_queries(16):
        assert client.get(f"{TEAM}?month={month:%Y-%m}").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(f"{_officer_url(t.officer)}?month={month:%Y-%m}").status_code == 200
