"""The back office for units, officers and assignments: pages, services, roles and scope."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from blisko.core.models import AuditEvent, DirectoryChange
from blisko.core.tests.helpers import (
    DNIPRO_OBLAST,
    VINNYTSIA_HROMADA,
    VINNYTSIA_OBLAST,
    logged_in,
    officer_user_of,
    supervisor_of,
    user_in_role,
)
from blisko.officers.models import Assignment, Officer, Role
from blisko.officers.tests.factories import AssignmentFactory, OfficerFactory, UnitFactory
from blisko.territories.models import Area, Level

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser() -> User:
    return User.objects.create_superuser("root", "root@example.org", "pw")


def _hromada(oblast: str, index: int = 0) -> Area:
    return (
        Area.objects.filter(level=Level.COMMUNITY, code__startswith=oblast[:4])
        .order_by("code")
        .defer("boundary")[index]
    )


def _assignment_form(assignment_or_none=None, **values) -> dict:
    data = {"officer": "", "area": "", "role": "", "starts_on": "", "ends_on": ""}
    data.update({"covers": "", "cover_reason": ""})
    data.update({k: str(v) for k, v in values.items()})
    return data


@pytest.mark.parametrize("model", ["unit", "officer", "assignment"])
def test_the_list_add_and_change_pages_load_for_a_superuser(superuser, model):
    assignment = AssignmentFactory(area=Area.objects.get(code=VINNYTSIA_HROMADA))
    obj = {"unit": assignment.officer.unit, "officer": assignment.officer}.get(model, assignment)
    client = logged_in(superuser)

    for url in [
        reverse(f"admin:officers_{model}_changelist"),
        reverse(f"admin:officers_{model}_add"),
        reverse(f"admin:officers_{model}_change", args=[obj.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url


def test_the_assignment_list_searches_and_filters_by_role_and_area_level(superuser):
    hromada = Area.objects.get(code=VINNYTSIA_HROMADA)
    mine = AssignmentFactory(area=hromada, officer__last_name="Шукана")
    other = AssignmentFactory(area=_hromada(DNIPRO_OBLAST), officer__last_name="Інша")
    client = logged_in(superuser)
    url = reverse("admin:officers_assignment_changelist")

    found = client.get(url, {"q": "Шукана"}).context["cl"].result_list
    filtered = client.get(url, {"role": "community_officer", "area_level": "community"})

    assert list(found) == [mine]
    assert {mine, other} <= set(filtered.context["cl"].result_list)
    assert not client.get(url, {"area_level": "service_area"}).context["cl"].result_list


def test_an_assignment_added_in_the_admin_goes_through_the_service_with_an_audit_event(
    superuser,
):
    officer = OfficerFactory()
    hromada = Area.objects.get(code=VINNYTSIA_HROMADA)
    client = logged_in(superuser)

    response = client.post(
        reverse("admin:officers_assignment_add"),
        _assignment_form(
            officer=officer.pk,
            area=hromada.pk,
            role=Role.COMMUNITY_OFFICER,
            starts_on="2025-01-01",
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assignment = Assignment.objects.get(officer=officer)
    assert assignment.is_primary
    assert AuditEvent.objects.filter(
        entity="officers.assignment", entity_id=str(assignment.pk), action="created"
    ).exists()


def test_an_overlapping_primary_assignment_shows_the_error_and_writes_nothing(superuser):
    hromada = Area.objects.get(code=VINNYTSIA_HROMADA)
    AssignmentFactory(area=hromada, starts_on=dt.date(2024, 1, 1))
    newcomer = OfficerFactory(last_name="Новенька")
    counts = (
        Assignment.objects.count(),
        AuditEvent.objects.count(),
        DirectoryChange.objects.count(),
    )
    client = logged_in(superuser)

    response = client.post(
        reverse("admin:officers_assignment_add"),
        _assignment_form(
            officer=newcomer.pk,
            area=hromada.pk,
            role=Role.COMMUNITY_OFFICER,
            starts_on="2025-03-01",
        ),
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "already has a primary officer" in str(form.errors)
    # What was typed is still on the form.
    assert form["officer"].value() == str(newcomer.pk)
    assert (
        Assignment.objects.count(),
        AuditEvent.objects.count(),
        DirectoryChange.objects.count(),
    ) == counts


def test_an_assignment_ending_before_it_starts_is_refused_on_the_form(superuser):
    assignment = AssignmentFactory(area=Area.objects.get(code=VINNYTSIA_HROMADA))
    client = logged_in(superuser)

    response = client.post(
        reverse("admin:officers_assignment_change", args=[assignment.pk]),
        _assignment_form(
            officer=assignment.officer_id,
            area=assignment.area_id,
            role=assignment.role,
            starts_on=assignment.starts_on,
            ends_on=assignment.starts_on - dt.timedelta(days=1),
        ),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assignment.refresh_from_db()
    assert assignment.ends_on is None


def test_deleting_an_officer_with_assignments_is_refused(superuser):
    assignment = AssignmentFactory(area=Area.objects.get(code=VINNYTSIA_HROMADA))
    client = logged_in(superuser)

    response = client.post(
        reverse("admin:officers_officer_delete", args=[assignment.officer_id]),
        {"post": "yes"},
        follow=True,
    )

    assert response.status_code == 200
    assert Officer.objects.filter(pk=assignment.officer_id).exists()


def test_deleting_an_officer_without_assignments_goes_through_the_service(superuser):
    officer = OfficerFactory()
    client = logged_in(superuser)

    response = client.post(
        reverse("admin:officers_officer_delete", args=[officer.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Officer.objects.filter(pk=officer.pk).exists()
    assert AuditEvent.objects.filter(
        entity="officers.officer", entity_id=str(officer.pk), action="deleted"
    ).exists()
    assert DirectoryChange.objects.filter(
        entity="officer", entity_id=officer.pk, is_deleted=True
    ).exists()


def test_a_unit_saved_in_the_admin_records_a_directory_change(superuser):
    unit = UnitFactory()
    client = logged_in(superuser)
    before = DirectoryChange.objects.filter(entity="unit", entity_id=unit.pk).count()

    response = client.post(
        reverse("admin:officers_unit_change", args=[unit.pk]),
        {
            "country": unit.country,
            "name": "Відділ поліції № 1",
            "parent": "",
            "area": "",
            "address": unit.address,
            "phone": unit.phone,
            "duty_phone": "102",
            "email": "",
            "opening_hours": unit.opening_hours,
            "location": unit.location.geojson,
        },
    )

    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "Відділ поліції № 1"
    assert DirectoryChange.objects.filter(entity="unit", entity_id=unit.pk).count() == before + 1


# --- roles and scope ----------------------------------------------------------------------


def test_a_supervisor_sees_only_their_region_s_assignments():
    supervisor = supervisor_of(VINNYTSIA_OBLAST)
    mine = AssignmentFactory(area=_hromada(VINNYTSIA_OBLAST))
    theirs = AssignmentFactory(area=_hromada(DNIPRO_OBLAST))
    client = logged_in(supervisor)

    listed = set(
        client.get(reverse("admin:officers_assignment_changelist")).context["cl"].result_list
    )

    assert mine in listed
    assert theirs not in listed
    assert (
        client.get(reverse("admin:officers_assignment_change", args=[mine.pk])).status_code == 200
    )
    response = client.get(reverse("admin:officers_assignment_change", args=[theirs.pk]))
    assert response.status_code == 403


def test_a_supervisor_sees_only_their_region_s_officers_units_and_areas():
    supervisor = supervisor_of(VINNYTSIA_OBLAST)
    mine = AssignmentFactory(area=_hromada(VINNYTSIA_OBLAST))
    theirs = AssignmentFactory(area=_hromada(DNIPRO_OBLAST))
    mine.officer.unit.area = mine.area
    mine.officer.unit.save()
    client = logged_in(supervisor)

    officers = client.get(reverse("admin:officers_officer_changelist")).context["cl"].result_list
    units = client.get(reverse("admin:officers_unit_changelist")).context["cl"].result_list
    areas = client.get(reverse("admin:territories_area_changelist")).context["cl"].result_list

    assert mine.officer in officers and theirs.officer not in officers
    assert list(units) == [mine.officer.unit]
    assert mine.area in areas and theirs.area not in areas
    assert all(a.code.startswith("UA05") for a in areas)
    theirs_url = reverse("admin:officers_officer_change", args=[theirs.officer_id])
    assert client.get(theirs_url).status_code == 403


def test_a_supervisor_assigns_an_officer_in_their_region():
    supervisor = supervisor_of(VINNYTSIA_OBLAST)
    officer = AssignmentFactory(area=_hromada(VINNYTSIA_OBLAST, 1)).officer
    area = _hromada(VINNYTSIA_OBLAST, 2)
    client = logged_in(supervisor)

    response = client.post(
        reverse("admin:officers_assignment_add"),
        _assignment_form(
            officer=officer.pk, area=area.pk, role=Role.COMMUNITY_OFFICER, starts_on="2025-05-01"
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Assignment.objects.get(officer=officer, area=area)
    assert (
        AuditEvent.objects.get(entity="officers.assignment", entity_id=str(created.pk)).actor
        == supervisor
    )


def test_a_supervisor_cannot_assign_in_another_region():
    supervisor = supervisor_of(VINNYTSIA_OBLAST)
    officer = AssignmentFactory(area=_hromada(VINNYTSIA_OBLAST, 1)).officer
    elsewhere = _hromada(DNIPRO_OBLAST, 3)
    client = logged_in(supervisor)

    response = client.post(
        reverse("admin:officers_assignment_add"),
        _assignment_form(
            officer=officer.pk,
            area=elsewhere.pk,
            role=Role.COMMUNITY_OFFICER,
            starts_on="2025-05-01",
        ),
    )

    assert response.status_code == 200
    assert "area" in response.context["adminform"].form.errors
    assert not Assignment.objects.filter(area=elsewhere).exists()


def test_a_supervisor_cannot_delete_assignments_or_see_user_accounts():
    supervisor = supervisor_of(VINNYTSIA_OBLAST)
    mine = AssignmentFactory(area=_hromada(VINNYTSIA_OBLAST))
    client = logged_in(supervisor)

    delete = client.post(
        reverse("admin:officers_assignment_delete", args=[mine.pk]), {"post": "yes"}
    )
    officer_page = client.get(reverse("admin:officers_officer_change", args=[mine.officer_id]))

    assert delete.status_code == 403
    assert Assignment.objects.filter(pk=mine.pk).exists()
    assert "user" not in officer_page.context["adminform"].form.fields
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_an_officer_sees_the_back_office_read_only():
    hromada = Area.objects.get(code=VINNYTSIA_HROMADA)
    user = officer_user_of(hromada)
    own = Assignment.objects.get(officer__user=user)
    client = logged_in(user)
    change_url = reverse("admin:officers_assignment_change", args=[own.pk])

    page = client.get(change_url)
    post = client.post(
        change_url,
        _assignment_form(
            officer=own.officer_id, area=own.area_id, role=own.role, starts_on="2020-01-01"
        ),
    )

    assert client.get(reverse("admin:officers_assignment_changelist")).status_code == 200
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert 'name="_save"' not in page.content.decode()
    assert post.status_code == 403
    assert client.get(reverse("admin:officers_assignment_add")).status_code == 403
    own.refresh_from_db()
    assert own.starts_on != dt.date(2020, 1, 1)


def test_a_staff_user_without_a_role_sees_no_officers():
    user = user_in_role("nobody", None)
    client = logged_in(user)

    assert client.get(reverse("admin:officers_assignment_changelist")).status_code == 403


def test_an_administrator_sees_every_region_without_being_a_superuser():
    admin_user = user_in_role("boss", "administrator")
    theirs = AssignmentFactory(area=_hromada(DNIPRO_OBLAST))
    client = logged_in(admin_user)

    url = reverse("admin:officers_assignment_change", args=[theirs.pk])
    assert client.get(url).status_code == 200
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200


def test_the_scope_follows_the_supervisor_s_assignment_dates():
    supervisor = supervisor_of(VINNYTSIA_OBLAST)
    Assignment.objects.filter(officer__user=supervisor).update(
        ends_on=timezone.localdate() - dt.timedelta(days=1)
    )
    mine = AssignmentFactory(area=_hromada(VINNYTSIA_OBLAST))
    client = logged_in(supervisor)

    listed = client.get(reverse("admin:officers_assignment_changelist")).context["cl"].result_list

    assert mine not in listed


def test_an_officer_sees_a_unit_s_location_on_a_map():
    hromada = Area.objects.get(code=VINNYTSIA_HROMADA)
    user = officer_user_of(hromada)
    unit = Officer.objects.get(user=user).unit
    unit.area = hromada
    unit.save()

    html = logged_in(user).get(reverse("admin:officers_unit_change", args=[unit.pk]))
    html = html.content.decode()

    assert 'id="id_location_view"' in html
    assert "POINT" not in html


def test_a_supervisor_edits_an_officer_of_another_unit_who_serves_in_their_region():
    supervisor = supervisor_of(VINNYTSIA_OBLAST)
    outside_unit = UnitFactory(area=_hromada(DNIPRO_OBLAST))
    assignment = AssignmentFactory(
        area=_hromada(VINNYTSIA_OBLAST), officer=OfficerFactory(unit=outside_unit)
    )
    officer = assignment.officer
    client = logged_in(supervisor)

    response = client.post(
        reverse("admin:officers_officer_change", args=[officer.pk]),
        {
            "first_name": officer.first_name,
            "last_name": officer.last_name,
            "rank": "майор поліції",
            "badge_number": officer.badge_number,
            "unit": outside_unit.pk,
            "bio": "",
            "is_active": "on",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    officer.refresh_from_db()
    assert officer.rank == "майор поліції"
    other_unit = UnitFactory(area=_hromada(DNIPRO_OBLAST, 2))
    response = client.post(
        reverse("admin:officers_officer_change", args=[officer.pk]),
        {
            "first_name": officer.first_name,
            "last_name": officer.last_name,
            "rank": officer.rank,
            "badge_number": officer.badge_number,
            "unit": other_unit.pk,
            "bio": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "unit" in response.context["adminform"].form.errors
