"""`report_submit` with a caller's own client keys and daily limits (what Open311 uses)."""

import pytest
from django.test import override_settings

from blisko.core.exceptions import ApplicationError
from blisko.reports import rules
from blisko.reports.models import Report
from blisko.reports.services.submit import DailyLimit, report_submit
from conftest import KONIN_CENTRE

pytestmark = pytest.mark.django_db

GROUP = "o" + "a" * 15


def _key(group: str, client: str) -> str:
    return (group + client * 48)[:64]


def submit(client_key: str, limits: list[DailyLimit], **fields) -> Report:
    return report_submit(
        category_code="vandalism",
        lon=KONIN_CENTRE[0],
        lat=KONIN_CENTRE[1],
        client_ip=None,
        client_key=client_key,
        daily_limits=limits,
        **fields,
    )


def _limits(client_key: str, *, client: int, group: int) -> list[DailyLimit]:
    return [
        DailyLimit(prefix=client_key, limit=client, message="client %(limit)d"),
        DailyLimit(prefix=GROUP, limit=group, message="group %(limit)d"),
    ]


def test_a_group_limit_counts_every_key_with_its_prefix_and_no_other():
    # Keys that sort right next to the group's but do not start with it.
    neighbour = _key("o" + "a" * 14 + "b", "1")
    before = _key("o" + "a" * 14 + "9", "1")
    for key in (neighbour, before):
        submit(key, [])
    first, second = _key(GROUP, "1"), _key(GROUP, "2")
    submit(first, _limits(first, client=5, group=2))
    submit(second, _limits(second, client=5, group=2))

    with pytest.raises(ApplicationError) as caught:
        submit(_key(GROUP, "3"), _limits(_key(GROUP, "3"), client=5, group=2))

    assert caught.value.status == 429
    assert caught.value.message == "group 2"
    assert caught.value.extra["limit"] == 2
    assert Report.objects.filter(client_hash__startswith=GROUP).count() == 2


def test_the_first_limit_reached_gives_its_message():
    key = _key(GROUP, "1")
    submit(key, _limits(key, client=1, group=1))

    with pytest.raises(ApplicationError) as caught:
        submit(key, _limits(key, client=1, group=1))

    assert caught.value.message == "client 1"


def test_a_limit_of_zero_is_no_limit():
    key = _key(GROUP, "1")
    for _ in range(3):
        submit(key, _limits(key, client=0, group=0))

    assert Report.objects.filter(client_hash=key).count() == 3


@override_settings(BLISKO_REPORT_DAILY_LIMIT=1)
def test_a_caller_s_key_is_stored_in_place_of_the_address_hash_and_counted_apart():
    key = _key(GROUP, "1")
    report = report_submit(
        category_code="vandalism",
        lon=KONIN_CENTRE[0],
        lat=KONIN_CENTRE[1],
        client_ip="203.0.113.7",
        client_key=key,
    )
    web = report_submit(
        category_code="vandalism", lon=KONIN_CENTRE[0], lat=KONIN_CENTRE[1], client_ip="203.0.113.7"
    )

    assert report.client_hash == key
    assert report.client_ip == "203.0.113.7"
    assert web.client_hash == rules.client_hash("203.0.113.7")


@pytest.mark.parametrize(
    ("client_key", "prefix"),
    [
        ("O" + "a" * 63, None),
        ("a" * 65, None),
        ("", None),
        ("abc-def", None),
        (_key(GROUP, "1"), "ob"),
    ],
    ids=["uppercase", "too long", "empty", "punctuation", "limit of another prefix"],
)
def test_a_malformed_client_key_or_limit_is_a_programming_error_and_stores_nothing(
    client_key, prefix
):
    limits = [] if prefix is None else [DailyLimit(prefix=prefix, limit=1, message="x")]

    with pytest.raises(ValueError):
        submit(client_key, limits)

    assert not Report.objects.exists()
