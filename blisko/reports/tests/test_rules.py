import pytest
from django.contrib.gis.geos import Point
from django.test import RequestFactory

from blisko.reports import rules
from blisko.reports.models import Precision


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/", **extra)


def test_without_trusted_proxies_the_client_is_the_remote_address(settings):
    settings.BLISKO_TRUSTED_PROXIES = []
    assert rules.client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_behind_a_trusted_proxy_the_client_is_the_nearest_untrusted_hop(settings):
    settings.BLISKO_TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = _request("10.0.0.2", "198.51.100.9, 203.0.113.5, 10.0.0.7")
    assert rules.client_ip(request) == "203.0.113.5"


def test_a_forged_header_from_an_untrusted_client_is_ignored(settings):
    settings.BLISKO_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert rules.client_ip(_request("203.0.113.8", "10.0.0.1")) == "203.0.113.8"


def test_garbage_in_the_header_falls_back_to_the_proxy_address(settings):
    settings.BLISKO_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert rules.client_ip(_request("10.0.0.2", "<script>")) == "10.0.0.2"


def test_the_client_key_is_stable_and_reveals_no_address():
    assert rules.client_hash("203.0.113.7") == rules.client_hash("203.0.113.7")
    assert "203.0.113.7" not in rules.client_hash("203.0.113.7")
    assert rules.client_hash("203.0.113.7") != rules.client_hash("203.0.113.8")


@pytest.mark.parametrize("precision", [Precision.REDUCED, Precision.HIDDEN])
def test_a_reduced_or_hidden_public_point_never_equals_the_exact_one(precision):
    exact = Point(28.468213, 49.233107, srid=4326)
    public = rules.public_location_for(exact, precision)
    assert public is None or (public.x, public.y) != (exact.x, exact.y)
