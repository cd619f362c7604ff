"""The back office's groups, as the data migration creates them."""

import pytest
from django.contrib.auth.models import Group

from blisko.core.roles import (
    ADMINISTRATOR,
    ANALYST,
    COMMUNITY_HEAD,
    OFFICER,
    SUPERVISOR,
    roles_remove,
    roles_sync,
)

pytestmark = pytest.mark.django_db


OFFICER_VIEWS = {
    "view_area",
    "view_unit",
    "view_officer",
    "view_assignment",
    "view_category",
    "view_report",
    "view_reportevent",
    "view_attachment",
    "view_statisticcategory",
    "view_statistic",
    "view_incidentcategory",
    "view_incident",
    "view_plan",
    "view_planaction",
    "view_memorandum",
    "view_memorandumarea",
    "view_partner",
    "view_obligation",
    "view_fulfilment",
    "view_rollouttarget",
    "view_meeting",
    "view_question",
    "view_presenceday",
}


def _codenames(name: str) -> set[str]:
    return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))


def test_the_migration_creates_the_three_groups():
    roles_sync()  # in case a transactional test emptied the tables before this one

    assert set(Group.objects.values_list("name", flat=True)) >= {
        ADMINISTRATOR,
        SUPERVISOR,
        OFFICER,
    }


def test_a_supervisor_assigns_and_edits_officers_but_deletes_nothing_and_only_reads_areas():
    roles_sync()
    codenames = _codenames(SUPERVISOR)

    assert {"view_assignment", "add_assignment", "change_assignment"} <= codenames
    assert {"view_officer", "change_officer", "view_unit", "change_unit"} <= codenames
    assert {"view_area", "view_place"} <= codenames
    assert not {c for c in codenames if c.startswith("delete_")}
    assert not {"add_area", "change_area", "add_officer", "add_unit"} & codenames
    assert {"view_report", "view_reportevent", "view_attachment", "view_category"} <= codenames
    assert not {"change_report", "change_category", "view_open311key"} & codenames


def test_an_officer_only_views():
    roles_sync()

    assert _codenames(OFFICER) == OFFICER_VIEWS


def test_an_analyst_reads_the_diagnosis_and_no_report_or_person():
    roles_sync()
    codenames = _codenames(ANALYST)

    assert {"view_statistic", "view_incident", "view_area", "view_incidentcategory"} <= codenames
    assert not {c for c in codenames if not c.startswith("view_")}
    assert not {"view_report", "view_officer", "view_attachment"} & codenames


def test_an_administrator_has_everything_on_blisko_and_on_users_and_groups():
    roles_sync()
    codenames = _codenames(ADMINISTRATOR)

    models = ["area", "areaboundary", "place", "unit", "officer", "assignment", "user"]
    for model in [*models, "category", "report", "open311key"]:
        assert {f"{action}_{model}" for action in ["view", "add", "change", "delete"]} <= (
            codenames
        )
    assert "delete_group" in codenames
    assert "delete_session" not in codenames


def test_syncing_again_restores_the_permissions_and_changes_nothing_else():
    roles_sync()
    officer = Group.objects.get(name=OFFICER)
    officer.permissions.clear()
    groups = Group.objects.count()

    roles_sync()
    roles_sync()

    assert _codenames(OFFICER) == OFFICER_VIEWS
    assert Group.objects.count() == groups


def test_a_community_head_has_no_back_office_permission():
    roles_sync()

    assert _codenames(COMMUNITY_HEAD) == set()


def test_removing_the_roles_deletes_the_three_groups():
    roles_sync()

    roles_remove()

    assert not Group.objects.filter(name__in=[ADMINISTRATOR, SUPERVISOR, OFFICER]).exists()
