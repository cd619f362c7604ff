"""`GET /api/v1/areas/{id}/events`: the meetings to come in police.uk's shape, as its client
(police-api-client) reads them."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone
from police_api.neighbourhoods import Neighbourhood

from blisko.engagement.models import Meeting, MeetingKind, MeetingStatus
from blisko.officers.tests.factories import AreaFactory, ServiceAreaFactory
from blisko.territories.models import Country

pytestmark = pytest.mark.django_db


def _meeting(area, *, days, status=MeetingStatus.PLANNED, title="Зустріч"):
    start = (timezone.now() + dt.timedelta(days=days)).replace(microsecond=0)
    return Meeting.objects.create(
        area=area,
        kind=MeetingKind.DEBATE,
        title=title,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        address="вул. Соборна, 1",
        status=status,
        minutes="Секретні нотатки" if status == MeetingStatus.HELD else "",
    )


def test_the_events_are_the_planned_meetings_to_come_as_police_uk_s_client_reads_them(client):
    area = AreaFactory(country=Country.POLAND)
    beat = ServiceAreaFactory(parent=area)
    soon = _meeting(area, days=2, title="Debata społeczna")
    later = _meeting(beat, days=9, title="Dyżur dzielnicowego")
    _meeting(area, days=5, status=MeetingStatus.CANCELLED, title="Odwołane")
    _meeting(area, days=-20, status=MeetingStatus.HELD, title="Już było")

    response = client.get(f"/api/v1/areas/{area.pk}/events")

    assert response.status_code == 200
    items = response.json()
    assert [i["title"] for i in items] == ["Debata społeczna", "Dyżur dzielnicowego"]
    event = Neighbourhood.Event(None, dict(items[0]))
    warsaw = soon.starts_at.astimezone(zoneinfo.ZoneInfo("Europe/Warsaw")).replace(tzinfo=None)
    assert event.start_date == warsaw
    assert event.title == "Debata społeczna" and event.type == "debate"
    assert event.address == "вул. Соборна, 1"
    assert items[1]["uid"] == str(later.uid) and items[1]["url"].endswith(f"/meetings/{later.uid}/")
    assert "Секретні" not in response.text


def test_the_events_of_an_unknown_area_are_a_404(client):
    assert client.get("/api/v1/areas/999999/events").status_code == 404
    assert client.post(f"/api/v1/areas/{AreaFactory().pk}/events").status_code == 405


def test_an_area_with_no_meeting_to_come_has_no_events(client):
    assert client.get(f"/api/v1/areas/{AreaFactory().pk}/events").json() == []
