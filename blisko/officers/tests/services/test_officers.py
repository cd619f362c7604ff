import pytest

from blisko.core.exceptions import ApplicationError
from blisko.core.models import AuditEvent, DirectoryChange
from blisko.officers.models import Officer
from blisko.officers.services.officers import officer_delete, officer_save
from blisko.officers.tests.factories import AssignmentFactory, OfficerFactory, UnitFactory

pytestmark = pytest.mark.django_db


def _events(officer_id):
    return AuditEvent.objects.filter(entity="officers.officer", entity_id=str(officer_id)).order_by(
        "id"
    )


def test_save_creates_an_officer_and_records_it(actor):
    officer = Officer(
        first_name="Андрій",
        last_name="Мельник",
        rank="старший лейтенант поліції",
        badge_number="0512345",
        unit=UnitFactory(),
    )

    officer_save(officer=officer, actor=actor)

    assert _events(officer.pk).get().after["badge_number"] == "0512345"
    assert DirectoryChange.objects.filter(entity="officer", entity_id=officer.pk).exists()


def test_save_records_a_deactivation_as_a_change_of_one_field(actor):
    officer = OfficerFactory()
    officer.is_active = False

    officer_save(officer=officer, actor=actor)

    event = _events(officer.pk).get()
    assert (event.before, event.after) == ({"is_active": True}, {"is_active": False})


def test_save_refuses_a_badge_number_already_taken(actor):
    OfficerFactory(badge_number="0001")
    officer = OfficerFactory.build(badge_number="0001", unit=UnitFactory())

    with pytest.raises(ApplicationError) as refused:
        officer_save(officer=officer, actor=actor)

    assert "badge_number" in refused.value.extra["fields"]


def test_delete_removes_an_officer_who_never_served(actor):
    officer = OfficerFactory()
    officer_id = officer.pk

    officer_delete(officer=officer, actor=actor)

    assert not Officer.objects.filter(pk=officer_id).exists()
    assert _events(officer_id).get().action == "deleted"
    assert DirectoryChange.objects.filter(entity="officer", entity_id=officer_id, is_deleted=True)


def test_delete_refuses_an_officer_with_assignments_and_suggests_deactivating(actor):
    assignment = AssignmentFactory()

    with pytest.raises(ApplicationError, match="Deactivate the officer"):
        officer_delete(officer=assignment.officer, actor=actor)

    assert Officer.objects.filter(pk=assignment.officer_id).exists()
