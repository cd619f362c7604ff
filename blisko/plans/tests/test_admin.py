"""The plans' back office: read only, and scoped to the user's areas."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from blisko.core.roles import SUPERVISOR, roles_sync
from blisko.core.tests.helpers import logged_in
from blisko.plans.tests.plans_data import draft, people

pytestmark = pytest.mark.django_db


def test_an_administrator_reads_a_plan_and_cannot_change_it():
    p = people()
    plan = draft(p)
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw-12345678")
    client = logged_in(admin)

    listing = client.get("/admin/plans/plan/")
    page = client.get(f"/admin/plans/plan/{plan.pk}/change/")

    assert listing.status_code == 200 and plan.title in listing.text
    assert page.status_code == 200 and "Evening foot patrols around the market" in page.text
    assert 'name="_save"' not in page.text
    assert client.get("/admin/plans/plan/add/").status_code == 403


def test_a_supervisor_sees_the_plans_of_their_region_only():
    roles_sync()
    p = people()
    plan = draft(p)
    p.supervisor_user.is_staff = True
    p.supervisor_user.save()
    p.supervisor_user.groups.add(Group.objects.get(name=SUPERVISOR))
    client = logged_in(p.supervisor_user)

    assert plan.title in client.get("/admin/plans/plan/").text
    from blisko.officers.tests.factories import AreaFactory
    from blisko.plans.models import Plan

    Plan.objects.filter(pk=plan.pk).update(area=AreaFactory())
    assert plan.title not in client.get("/admin/plans/plan/").text
