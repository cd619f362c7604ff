import pytest
from django.contrib.gis.geos import Point

from blisko.core.exceptions import ApplicationError
from blisko.core.models import AuditEvent, DirectoryChange
from blisko.officers.models import Unit
from blisko.officers.services.units import unit_delete, unit_save
from blisko.officers.tests.factories import OfficerFactory, UnitFactory

pytestmark = pytest.mark.django_db


def _events(unit_id):
    return AuditEvent.objects.filter(entity="officers.unit", entity_id=str(unit_id)).order_by("id")


def test_save_creates_a_unit_built_by_a_form_and_records_it(actor):
    unit = Unit(
        country="UA",
        name="Вінницьке районне управління поліції",
        address="вул. Театральна, 10, Вінниця",
        location=Point(28.4682, 49.2331, srid=4326),
    )

    unit_save(unit=unit, actor=actor)

    event = _events(unit.pk).get()
    assert event.action == "created"
    assert event.after["location"].startswith("POINT")
    assert DirectoryChange.objects.filter(entity="unit", entity_id=unit.pk).exists()


def test_save_updates_only_the_changed_fields(actor):
    unit = UnitFactory(phone="+380 1")
    unit.phone = "+380 2"

    unit_save(unit=unit, actor=actor)

    event = _events(unit.pk).get()
    assert (event.action, event.before, event.after) == (
        "updated",
        {"phone": "+380 1"},
        {"phone": "+380 2"},
    )


def test_save_without_a_change_writes_nothing(actor):
    unit = UnitFactory()
    versions = DirectoryChange.objects.count()

    unit_save(unit=Unit.objects.get(pk=unit.pk), actor=actor)

    assert not _events(unit.pk).exists()
    assert DirectoryChange.objects.count() == versions


def test_save_refuses_an_invalid_unit_with_the_fields_named(actor):
    unit = UnitFactory.build(name="", location=Point(28.4, 49.2, srid=4326))

    with pytest.raises(ApplicationError) as refused:
        unit_save(unit=unit, actor=actor)

    assert "name" in refused.value.extra["fields"]


def test_save_refuses_a_unit_placed_under_its_own_child(actor):
    parent = UnitFactory()
    child = UnitFactory(parent=parent)
    parent.parent = child

    with pytest.raises(ApplicationError, match="under itself"):
        unit_save(unit=parent, actor=actor)


def test_delete_removes_an_empty_unit_and_records_the_deletion(actor):
    unit = UnitFactory()
    unit_id = unit.pk

    unit_delete(unit=unit, actor=actor)

    assert not Unit.objects.filter(pk=unit_id).exists()
    assert _events(unit_id).get().action == "deleted"
    assert DirectoryChange.objects.filter(entity="unit", entity_id=unit_id, is_deleted=True)


def test_delete_refuses_a_unit_that_officers_still_belong_to(actor):
    officer = OfficerFactory()

    with pytest.raises(ApplicationError, match="still has 1 officer"):
        unit_delete(unit=officer.unit, actor=actor)

    assert Unit.objects.filter(pk=officer.unit_id).exists()


def test_delete_refuses_a_unit_with_units_under_it(actor):
    child = UnitFactory(parent=UnitFactory())

    with pytest.raises(ApplicationError, match="under it"):
        unit_delete(unit=child.parent, actor=actor)
