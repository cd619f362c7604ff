"""The diagnosis back office: the mapping of statistic categories is edited and audited; the
figures are read only, scoped to the user's areas."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from blisko.core.models import AuditEvent
from blisko.core.tests.helpers import KONIN_GMINA, VINNYTSIA_HROMADA, logged_in, supervisor_of
from blisko.diagnosis.models import Statistic, StatisticCategory
from blisko.reports.models import Category
from blisko.territories.models import Area

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return User.objects.create_superuser("root", "root@example.org", "pw")


def test_changing_a_category_s_map_categories_is_audited(admin_user):
    category = StatisticCategory.objects.get(code="theft")
    client = logged_in(admin_user)
    url = reverse("admin:diagnosis_statisticcategory_change", args=[category.pk])
    assert client.get(url).status_code == 200
    vandalism = Category.objects.get(code="vandalism")
    response = client.post(
        url,
        {
            "name_uk": category.name_uk,
            "name_pl": category.name_pl,
            "name_en": category.name_en,
            "valid_from": "2020-01-01",
            "valid_to": "",
            "sort_order": category.sort_order,
            "kmzb_categories": [vandalism.pk],
        },
    )
    assert response.status_code == 302
    assert list(category.kmzb_categories.values_list("code", flat=True)) == ["vandalism"]
    audit = AuditEvent.objects.get(entity="diagnosis.statisticcategory")
    assert audit.before == {"kmzb_categories": []}
    assert audit.after["kmzb_categories"] == ["vandalism"]


def test_the_closed_list_cannot_be_added_to_or_deleted_from(admin_user):
    client = logged_in(admin_user)
    assert client.get(reverse("admin:diagnosis_statisticcategory_add")).status_code == 403
    category = StatisticCategory.objects.get(code="theft")
    delete = reverse("admin:diagnosis_statisticcategory_delete", args=[category.pk])
    assert client.get(delete).status_code == 403


def test_a_supervisor_sees_only_the_figures_of_their_region():
    theft = StatisticCategory.objects.get(code="theft")
    day = dt.date(2025, 3, 1)
    Statistic.objects.create(
        area=Area.objects.get(code=VINNYTSIA_HROMADA), period=day, category=theft, count=41
    )
    Statistic.objects.create(
        area=Area.objects.get(code=KONIN_GMINA), period=day, category=theft, count=12
    )
    client = logged_in(supervisor_of("UA05000000000010236"))
    page = client.get(reverse("admin:diagnosis_statistic_changelist")).content.decode()
    assert "41" in page and "Konin" not in page


def test_an_incident_category_is_mapped_to_another_threat_audited(admin_user):
    from blisko.diagnosis.models import IncidentCategory

    category = IncidentCategory.objects.get(code="drugs")
    fraud = StatisticCategory.objects.get(code="fraud")
    client = logged_in(admin_user)
    url = reverse("admin:diagnosis_incidentcategory_change", args=[category.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name_uk": category.name_uk,
            "name_pl": category.name_pl,
            "name_en": category.name_en,
            "statistic_category": fraud.pk,
            "sort_order": category.sort_order,
        },
    )
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.statistic_category == fraud
    audit = AuditEvent.objects.get(entity="diagnosis.incidentcategory")
    assert audit.after == {"statistic_category": str(fraud)}
    assert client.get(reverse("admin:diagnosis_incident_changelist")).status_code == 200
