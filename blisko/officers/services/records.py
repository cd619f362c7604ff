"""What every write of the officers' directory shares: the audited save and delete of one
row (validated, only the changed fields saved, an audit event with them before and after, a
directory change for the offline apps), and the dates in refusals."""

import datetime as dt
from typing import Any, TypeVar

from django.contrib.gis.geos import GEOSGeometry
from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from blisko.core.services import Actor, audit_record, directory_touch, full_clean

M = TypeVar("M", bound=Model)

# Fields no audit event or change detection looks at: the key and the timestamps.
_SKIPPED_FIELDS = {"id", "created_at", "updated_at"}


def field_names(model: type[Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.name not in _SKIPPED_FIELDS]


def _value(instance: Model, name: str) -> Any:
    """A field's value as the database compares it: foreign keys by id."""
    field = instance._meta.get_field(name)
    return getattr(instance, field.attname)  # type: ignore[union-attr]


def _json(value: Any) -> Any:
    """A field value in a form an audit event (JSON) can hold."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, GEOSGeometry):
        return value.wkt
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def snapshot(instance: Model, names: list[str]) -> dict[str, Any]:
    return {name: _json(_value(instance, name)) for name in names}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, GEOSGeometry) or isinstance(b, GEOSGeometry):
        return a is not None and b is not None and a.equals_exact(b)
    if isinstance(a, FieldFile) or isinstance(b, FieldFile):
        return (getattr(a, "name", a) or "") == (getattr(b, "name", b) or "")
    return bool(a == b)


def changed_fields(old: Model, new: Model) -> list[str]:
    return [
        name for name in field_names(type(new)) if not _same(_value(old, name), _value(new, name))
    ]


def day_text(value: dt.date | None) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else _("no end date")


def record_save(*, instance: M, actor: Actor, entity: str, directory: str) -> M:
    """Create or update a row built by a form: validate, save the changed fields, record it."""
    model = type(instance)
    if instance.pk is None:
        full_clean(instance)
        instance.save()
        audit_record(
            actor=actor,
            entity=entity,
            entity_id=instance.pk,
            action="created",
            after=snapshot(instance, field_names(model)),
        )
    else:
        old = model._default_manager.select_for_update().get(pk=instance.pk)
        changed = changed_fields(old, instance)
        if not changed:
            return instance
        full_clean(instance)
        instance.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=actor,
            entity=entity,
            entity_id=instance.pk,
            action="updated",
            before=snapshot(old, changed),
            after=snapshot(instance, changed),
        )
    directory_touch(entity=directory, entity_id=instance.pk)
    return instance


def record_delete(*, instance: Model, actor: Actor, entity: str, directory: str) -> None:
    entity_id = instance.pk
    before = snapshot(instance, field_names(type(instance)))
    instance.delete()
    audit_record(actor=actor, entity=entity, entity_id=entity_id, action="deleted", before=before)
    directory_touch(entity=directory, entity_id=entity_id, is_deleted=True)
