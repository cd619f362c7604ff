"""Open311 API keys: made once, stored as a hash, checked, deactivated; the demo's key."""

import hashlib

import pytest

from blisko.core.exceptions import ApplicationError
from blisko.core.models import AuditEvent
from blisko.reports.models import Open311Key
from blisko.reports.services.open311_keys import (
    open311_key_check,
    open311_key_create,
    open311_key_deactivate,
    open311_key_ensure_demo,
    open311_key_save,
)

pytestmark = pytest.mark.django_db


def test_a_new_key_is_returned_once_and_only_its_hash_is_stored():
    key, raw_key = open311_key_create(name="FixMyStreet Vinnytsia")

    assert len(raw_key) >= 32
    assert key.key_hash == hashlib.sha256(raw_key.encode()).hexdigest()
    assert raw_key not in str(Open311Key.objects.values_list())
    assert AuditEvent.objects.filter(
        entity="reports.open311key", entity_id=str(key.pk), action="created"
    ).exists()


def test_two_keys_are_never_the_same():
    first = open311_key_create(name="a")[1]
    second = open311_key_create(name="b")[1]

    assert first != second


def test_a_key_needs_a_name():
    with pytest.raises(ApplicationError):
        open311_key_create(name="  ")

    assert not Open311Key.objects.exists()


def test_a_valid_key_is_found():
    key, raw_key = open311_key_create(name="client")

    assert open311_key_check(raw_key=raw_key) == key


@pytest.mark.parametrize("raw_key", [None, "", "not-a-key"])
def test_a_missing_or_unknown_key_is_refused_with_403(raw_key):
    open311_key_create(name="client")

    with pytest.raises(ApplicationError) as refused:
        open311_key_check(raw_key=raw_key)

    assert refused.value.status == 403
    assert refused.value.extra == {"field": "api_key"}


def test_a_deactivated_key_is_refused_and_stays_on_record():
    key, raw_key = open311_key_create(name="client")

    open311_key_deactivate(key=key, actor=None)
    open311_key_deactivate(key=key, actor=None)

    with pytest.raises(ApplicationError) as refused:
        open311_key_check(raw_key=raw_key)
    assert refused.value.status == 403
    assert Open311Key.objects.filter(pk=key.pk, is_active=False).exists()
    assert AuditEvent.objects.filter(entity_id=str(key.pk), action="deactivated").count() == 1


def test_renaming_a_key_keeps_its_hash():
    key, raw_key = open311_key_create(name="client")
    key.name = "renamed client"
    key.key_hash = "tampered"

    open311_key_save(key=key, actor=None)

    key.refresh_from_db()
    assert key.name == "renamed client"
    assert open311_key_check(raw_key=raw_key) == key


def test_the_demo_key_comes_from_the_setting_and_is_made_once(settings):
    settings.BLISKO_DEMO_OPEN311_KEY = "demo-key"

    key, raw_key = open311_key_ensure_demo()
    again, _raw = open311_key_ensure_demo()

    assert raw_key == "demo-key"
    assert again == key
    assert Open311Key.objects.count() == 1
    assert open311_key_check(raw_key="demo-key") == key


def test_no_demo_key_when_the_setting_is_empty(settings):
    settings.BLISKO_DEMO_OPEN311_KEY = ""

    assert open311_key_ensure_demo() is None
    assert not Open311Key.objects.exists()
