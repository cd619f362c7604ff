"""`territories_refresh`: on the day a boundary version dated in the future starts, the copy
on the area follows it, and the lookups, the outlines API and `Area.boundary` agree."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import shapely
import time_machine
from django.core.management import call_command

from blisko.officers.tests.factories import FAR_AWAY, AreaFactory, square
from blisko.territories.models import Area
from blisko.territories.selectors.areas import area_boundary, area_for_point, areas_for_point
from blisko.territories.services.boundaries import area_set_boundary

KYIV = ZoneInfo("Europe/Kyiv")
BEFORE = dt.datetime(2030, 3, 9, 23, 50, tzinfo=KYIV)
NEW_DAY = dt.date(2030, 3, 10)
AFTER = dt.datetime(2030, 3, 10, 0, 5, tzinfo=KYIV)
OLD_CENTRE = FAR_AWAY
NEW_CENTRE = (FAR_AWAY[0] + 0.02, FAR_AWAY[1])
VIEW = "23.9,48.1,24.2,48.3"


def _refresh(*args: str) -> str:
    out = io.StringIO()
    call_command("territories_refresh", *args, stdout=out)
    return out.getvalue()


def _outline_centre(client, area: Area) -> tuple[float, float]:
    response = client.get(f"/api/v1/areas/outlines?level=community&bbox={VIEW}&zoom=12")
    assert response.status_code == 200
    (feature,) = [f for f in response.json()["features"] if f["id"] == area.pk]
    centre = shapely.geometry.shape(feature["geometry"]).centroid
    return round(centre.x, 4), round(centre.y, 4)


def _copy_centre(area: Area) -> tuple[float, float]:
    centre = Area.objects.get(pk=area.pk).boundary.centroid
    return round(centre.x, 4), round(centre.y, 4)


@pytest.fixture
def moving_area():
    """A community whose boundary moves 0.02° east from NEW_DAY, set the day before."""
    with time_machine.travel(BEFORE, tick=False):
        area = AreaFactory(centre=OLD_CENTRE)
        area_set_boundary(area=area, boundary=square(NEW_CENTRE), valid_from=NEW_DAY)
    return area


@pytest.mark.django_db
def test_before_its_day_a_future_boundary_is_neither_served_nor_copied(client, moving_area):
    with time_machine.travel(BEFORE, tick=False):
        assert area_for_point(lon=OLD_CENTRE[0], lat=OLD_CENTRE[1]) == moving_area
        assert area_for_point(lon=NEW_CENTRE[0], lat=NEW_CENTRE[1]) is None
        assert _outline_centre(client, moving_area) == OLD_CENTRE
        assert _copy_centre(moving_area) == OLD_CENTRE
        assert "0 of" in _refresh("--commit")


@pytest.mark.django_db
def test_on_its_day_the_refresh_copies_the_new_boundary_and_everything_agrees(client, moving_area):
    with time_machine.travel(AFTER, tick=False):
        # The versions decide at once; only the copy waits for the refresh.
        assert area_for_point(lon=NEW_CENTRE[0], lat=NEW_CENTRE[1]) == moving_area
        assert _outline_centre(client, moving_area) == NEW_CENTRE
        assert _copy_centre(moving_area) == OLD_CENTRE

        dry = _refresh()
        assert f"{moving_area.code}: boundary replaced by the version in force today" in dry
        assert "Dry run" in dry
        assert _copy_centre(moving_area) == OLD_CENTRE

        done = _refresh("--commit")

        assert moving_area.code in done and "1 of" in done
        assert _copy_centre(moving_area) == NEW_CENTRE
        assert area_boundary(area=moving_area).equals_exact(
            Area.objects.get(pk=moving_area.pk).boundary, 0
        )
        assert area_for_point(lon=NEW_CENTRE[0], lat=NEW_CENTRE[1]) == moving_area
        assert moving_area not in areas_for_point(lon=OLD_CENTRE[0], lat=OLD_CENTRE[1])
        assert _outline_centre(client, moving_area) == NEW_CENTRE
        # The database's answer (no index) agrees too.
        assert area_for_point(lon=NEW_CENTRE[0], lat=NEW_CENTRE[1], on=NEW_DAY) == moving_area


@pytest.mark.django_db
def test_the_refresh_run_again_changes_nothing(moving_area):
    with time_machine.travel(AFTER, tick=False):
        _refresh("--commit")
        saved = Area.objects.get(pk=moving_area.pk).updated_at

        again = _refresh("--commit")

        assert again.splitlines()[-1].endswith(
            "0 of " + str(Area.objects.count()) + " areas changed."
        )
        assert Area.objects.get(pk=moving_area.pk).updated_at == saved


@pytest.mark.django_db
def test_a_first_boundary_dated_in_the_future_is_not_copied_before_its_day():
    with time_machine.travel(BEFORE, tick=False):
        area = AreaFactory(centre=OLD_CENTRE, boundary=None)
        area_set_boundary(area=area, boundary=square(NEW_CENTRE), valid_from=NEW_DAY)
        assert Area.objects.get(pk=area.pk).boundary is None
    with time_machine.travel(AFTER, tick=False):
        assert f"{area.code}: boundary in force today set" in _refresh("--commit")
        assert _copy_centre(area) == NEW_CENTRE
