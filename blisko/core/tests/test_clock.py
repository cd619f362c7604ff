import datetime as dt

from django.test import override_settings

from blisko.core.clock import country_zone, local_midnight

UTC = dt.UTC


def test_midnight_is_the_start_of_the_day_in_the_country_not_in_kyiv():
    # 22:30 UTC on 4 May: 00:30 on 5 May in Warsaw, 01:30 on 5 May in Kyiv.
    now = dt.datetime(2026, 5, 4, 22, 30, tzinfo=UTC)
    assert local_midnight(now, country="PL") == dt.datetime(2026, 5, 4, 22, 0, tzinfo=UTC)
    assert local_midnight(now, country="UA") == dt.datetime(2026, 5, 4, 21, 0, tzinfo=UTC)
    # 21:30 UTC: already 5 May in Kyiv, still 4 May in Warsaw.
    earlier = dt.datetime(2026, 5, 4, 21, 30, tzinfo=UTC)
    assert local_midnight(earlier, country="UA") == dt.datetime(2026, 5, 4, 21, 0, tzinfo=UTC)
    assert local_midnight(earlier, country="PL") == dt.datetime(2026, 5, 3, 22, 0, tzinfo=UTC)


def test_midnight_after_a_clock_change_has_the_offset_of_that_day():
    # Poland moves to summer time on 29 March 2026: midnight before it is UTC+1.
    now = dt.datetime(2026, 3, 29, 12, 0, tzinfo=UTC)
    assert local_midnight(now, country="PL") == dt.datetime(2026, 3, 28, 23, 0, tzinfo=UTC)


@override_settings(TIME_ZONE="Europe/Kyiv", BLISKO_COUNTRY_TIME_ZONES={"UA": "Europe/Kyiv"})
def test_a_country_without_a_zone_of_its_own_uses_the_sites_time_zone():
    assert str(country_zone("PL")) == "Europe/Kyiv"
