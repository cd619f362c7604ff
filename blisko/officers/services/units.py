"""Writes to police units: create, update and delete, each audited."""

from django.db import transaction
from django.utils.translation import gettext as _

from blisko.core.exceptions import ApplicationError
from blisko.core.services import Actor
from blisko.officers.models import Officer, Unit
from blisko.officers.services.records import record_delete, record_save


@transaction.atomic
def unit_save(*, unit: Unit, actor: Actor) -> Unit:
    """Create or update a police unit built by a form (or in code).

    Preconditions: none; the unit is validated here. A unit cannot be its own ancestor.
    Effects: saves only the changed fields, writes an audit event ("created"/"updated" with
    the changed fields) and a directory change. Nothing is written when nothing changed.
    """
    node, seen = unit.parent, set()
    while node is not None and node.pk not in seen:
        if unit.pk is not None and node.pk == unit.pk:
            raise ApplicationError(
                _("A police unit cannot be placed under itself or one of its own units."),
                {"field": "parent"},
            )
        seen.add(node.pk)
        node = node.parent
    return record_save(instance=unit, actor=actor, entity="officers.unit", directory="unit")


@transaction.atomic
def unit_delete(*, unit: Unit, actor: Actor) -> None:
    """Delete a police unit that no officer and no other unit belongs to.

    Refused (ApplicationError) while officers or child units belong to it.
    Effects: the row is deleted; an audit event and a directory deletion are written.
    """
    officers = Officer.objects.filter(unit=unit).count()
    if officers:
        raise ApplicationError(
            _(
                "%(unit)s still has %(count)d officer(s). Move them to another unit "
                "before deleting it."
            )
            % {"unit": unit.name, "count": officers}
        )
    children = Unit.objects.filter(parent=unit).count()
    if children:
        raise ApplicationError(
            _("%(unit)s still has %(count)d unit(s) under it. Move them first.")
            % {"unit": unit.name, "count": children}
        )
    record_delete(instance=unit, actor=actor, entity="officers.unit", directory="unit")
