from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Model

from blisko.core.exceptions import ApplicationError
from blisko.core.models import AuditEvent

# Who makes a change: a signed-in user, or None for the system (commands, the demo).
Actor = AbstractBaseUser | AnonymousUser | None


def full_clean(instance: Model) -> None:
    """Validate one row; Django's ValidationError becomes an ApplicationError (translated, as
    Django wrote it) with the fields: {"fields": {name: [messages]}}."""
    try:
        instance.full_clean()
    except ValidationError as error:
        fields = getattr(error, "message_dict", {"__all__": error.messages})
        raise ApplicationError(" ".join(error.messages), {"fields": fields}) from error


def audit_record(
    *,
    actor: Actor,
    entity: str,
    entity_id: Any,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEvent:
    """Write one audit event. Call inside the transaction of the change it describes."""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,  # type: ignore[misc]
        entity=entity,
        entity_id=str(entity_id),
        action=action,
        before=before,
        after=after,
        note=note,
    )


def directory_touch(*, entity: str, entity_id: int, is_deleted: bool = False) -> None:
    """Record that a directory record changed, so offline apps fetch it again.

    Call inside the transaction of the change.
    """
    from blisko.core.models import DirectoryChange

    DirectoryChange.objects.create(entity=entity, entity_id=entity_id, is_deleted=is_deleted)
