"""Open311 API keys: made here, shown once, kept only as a SHA-256 hash.

A key lets a third-party client (FixMyStreet, a city app) POST service requests through
Open311 GeoReport v2. Nothing can give a key back: a lost key is deactivated and replaced.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from blisko.core.exceptions import ApplicationError
from blisko.core.services import Actor, audit_record
from blisko.reports.models import Open311Key

ENTITY = "reports.open311key"
DEMO_KEY_NAME = "Demo"


def key_hash(raw_key: str) -> str:
    """The SHA-256 (hex) of a raw key: what is stored and what a presented key is looked up by."""
    return hashlib.sha256(raw_key.encode()).hexdigest()


def _create(*, name: str, raw_key: str, actor: Actor) -> Open311Key:
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("Give the key a name: who will use it."), {"field": "name"})
    key = Open311Key(name=name[:100], key_hash=key_hash(raw_key))
    key.save()
    audit_record(
        actor=actor, entity=ENTITY, entity_id=key.pk, action="created", after={"name": key.name}
    )
    return key


@transaction.atomic
def open311_key_create(*, name: str, actor: Actor = None) -> tuple[Open311Key, str]:
    """Make a new active key for the client `name`; return it with the raw key.

    The raw key is returned once and never stored: show it to the person who asked for it.
    Effects: one Open311Key row (the hash) and an audit event "created".
    """
    raw_key = secrets.token_urlsafe(32)
    return _create(name=name, raw_key=raw_key, actor=actor), raw_key


def open311_key_check(*, raw_key: str | None) -> Open311Key:
    """The active key matching `raw_key`.

    Raises ApplicationError (403) when the key is missing, unknown or deactivated, with a
    translated message a client developer can act on.
    """
    if not raw_key:
        raise ApplicationError(
            _("An api_key is required to create a service request."),
            {"field": "api_key"},
            status=403,
        )
    key = Open311Key.objects.filter(key_hash=key_hash(raw_key)).first()
    if key is None or not key.is_active:
        raise ApplicationError(
            _("The api_key is not valid: ask the administrator for a key."),
            {"field": "api_key"},
            status=403,
        )
    return key


@transaction.atomic
def open311_key_save(*, key: Open311Key, actor: Actor) -> Open311Key:
    """Rename a key, change whether it is active or its daily cap (the admin's edit form).

    The hash never changes. Refuses an empty name and a daily cap below 1 (empty: no cap).
    Effects: the changed fields saved and an audit event ("deactivated", "reactivated" or
    "updated"). Nothing is written when nothing changed.
    """
    old = Open311Key.objects.select_for_update().get(pk=key.pk)
    changed = [
        name
        for name in ("name", "is_active", "daily_cap")
        if getattr(old, name) != getattr(key, name)
    ]
    if not changed:
        return key
    if not key.name.strip():
        raise ApplicationError(_("Give the key a name: who will use it."), {"field": "name"})
    if key.daily_cap is not None and key.daily_cap < 1:
        raise ApplicationError(
            _("The daily cap must be at least 1; leave it empty for no cap."),
            {"field": "daily_cap"},
        )
    key.key_hash = old.key_hash
    key.save(update_fields=[*changed, "updated_at"])
    action = "updated"
    if changed == ["is_active"]:
        action = "reactivated" if key.is_active else "deactivated"
    audit_record(
        actor=actor,
        entity=ENTITY,
        entity_id=key.pk,
        action=action,
        before={name: getattr(old, name) for name in changed},
        after={name: getattr(key, name) for name in changed},
    )
    return key


@transaction.atomic
def open311_key_deactivate(*, key: Open311Key, actor: Actor) -> Open311Key:
    """Stop a key from working (it stays on record). Idempotent.

    Effects: `is_active = False` and an audit event "deactivated".
    """
    key.is_active = False
    return open311_key_save(key=key, actor=actor)


@transaction.atomic
def open311_key_ensure_demo() -> tuple[Open311Key, str] | None:
    """The demo's key, `settings.BLISKO_DEMO_OPEN311_KEY` (default "demo"), created if absent.

    Returns (key, raw key), or None when the setting is empty (no demo key wanted). An
    existing key with that hash is kept as it is, even when deactivated. Idempotent.
    """
    raw_key = getattr(settings, "BLISKO_DEMO_OPEN311_KEY", "demo")
    if not raw_key:
        return None
    key = Open311Key.objects.filter(key_hash=key_hash(raw_key)).first()
    if key is None:
        key = _create(name=DEMO_KEY_NAME, raw_key=raw_key, actor=None)
    return key, raw_key
