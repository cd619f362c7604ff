"""The back office of the threat map: categories, the register of reports, Open311 keys."""

import hashlib

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from django.contrib.messages import get_messages
from django.urls import reverse

from blisko.core.geo import GEO_SRID
from blisko.core.models import AuditEvent
from blisko.core.tests.helpers import (
    DNIPRO_OBLAST,
    VINNYTSIA_HROMADA,
    VINNYTSIA_OBLAST,
    logged_in,
    officer_user_of,
    supervisor_of,
    user_in_role,
)
from blisko.officers.models import Officer
from blisko.reports.models import Category, Open311Key, Precision, Report, ReportEvent, Status
from blisko.reports.rules import public_location_for
from blisko.reports.services.open311_keys import open311_key_check, open311_key_create
from blisko.reports.tests.factories import CategoryFactory, ReportFactory, category
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


def _report_in(area: Area, **fields) -> Report:
    point = area.boundary.point_on_surface
    return ReportFactory(area=area, location=Point(point.x, point.y, srid=GEO_SRID), **fields)


def _category_form(cat: Category, **values) -> dict:
    data = {
        "code": cat.code,
        "name_pl": cat.name_pl,
        "name_uk": cat.name_uk,
        "name_en": cat.name_en,
        "verifier_role": cat.verifier_role,
        "precision": cat.precision,
        "sort_order": cat.sort_order,
        "is_active": "on" if cat.is_active else "",
    }
    data.update(values)
    return {key: value for key, value in data.items() if value != ""}


# --- categories ---------------------------------------------------------------------------


def test_the_category_pages_load_for_a_superuser(superuser):
    cat = category("vandalism")
    client = logged_in(superuser)

    for url in [
        reverse("admin:reports_category_changelist"),
        reverse("admin:reports_category_add"),
        reverse("admin:reports_category_change", args=[cat.pk]),
    ]:
        assert client.get(url).status_code == 200, url


def test_the_category_list_filters_and_searches(superuser):
    client = logged_in(superuser)
    url = reverse("admin:reports_category_changelist")

    traffic = client.get(url, {"verifier_role__exact": "traffic"}).context["cl"].result_list
    found = client.get(url, {"q": "wandalizmu"}).context["cl"].result_list
    hidden = client.get(url, {"precision__exact": "hidden"}).context["cl"].result_list

    assert "speeding" in {c.code for c in traffic}
    assert all(c.verifier_role == "traffic" for c in traffic)
    assert [c.code for c in found] == ["vandalism"]
    assert {c.code for c in hidden} == {"drug-use", "minors-at-risk"}


def test_a_category_added_in_the_admin_goes_through_the_service(superuser):
    client = logged_in(superuser)
    data = {
        "code": "noise-at-night",
        "name_pl": "hałas w nocy",
        "name_uk": "нічний шум",
        "name_en": "noise at night",
        "verifier_role": "local",
        "precision": "reduced",
        "sort_order": "500",
        "is_active": "on",
    }

    response = client.post(reverse("admin:reports_category_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    added = Category.objects.get(code="noise-at-night")
    assert added.precision == Precision.REDUCED
    assert AuditEvent.objects.filter(
        entity="reports.category", entity_id=str(added.pk), action="created", actor=superuser
    ).exists()


def test_changing_the_precision_in_the_admin_moves_the_public_locations(superuser):
    cat = category("vandalism")
    report = _report_in(_hromada(VINNYTSIA_OBLAST), category=cat)
    client = logged_in(superuser)

    response = client.post(
        reverse("admin:reports_category_change", args=[cat.pk]),
        _category_form(cat, precision="reduced"),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    report.refresh_from_db()
    expected = public_location_for(report.location, Precision.REDUCED)
    assert report.public_location.equals_exact(expected, tolerance=1e-9)
    assert not report.public_location.equals_exact(report.location)


def test_a_category_with_reports_cannot_be_deleted_and_the_page_says_so(superuser):
    cat = category("vandalism")
    ReportFactory(category=cat)
    client = logged_in(superuser)

    page = client.get(reverse("admin:reports_category_change", args=[cat.pk]))
    delete = client.post(reverse("admin:reports_category_delete", args=[cat.pk]), {"post": "yes"})

    html = page.content.decode()
    assert "never deleted: retire it instead" in html
    assert reverse("admin:reports_category_delete", args=[cat.pk]) not in html
    assert "code" not in page.context["adminform"].form.fields
    assert delete.status_code == 403
    assert Category.objects.filter(pk=cat.pk).exists()


def test_a_category_without_reports_can_be_deleted(superuser):
    cat = CategoryFactory()
    client = logged_in(superuser)

    response = client.post(reverse("admin:reports_category_delete", args=[cat.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Category.objects.filter(pk=cat.pk).exists()


def test_categories_are_retired_and_reactivated_by_actions_never_deleted_in_bulk(superuser):
    cats = [category("begging"), category("poaching")]
    ReportFactory(category=cats[0])
    client = logged_in(superuser)
    url = reverse("admin:reports_category_changelist")
    selected = [str(c.pk) for c in cats]

    actions = client.get(url).context["action_form"].fields["action"].choices
    retired = client.post(url, {"action": "retire", "_selected_action": selected})

    assert "delete_selected" not in {name for name, _label in actions}
    assert retired.status_code == 302
    assert not Category.objects.filter(pk__in=selected, is_active=True).exists()
    assert Report.objects.filter(category=cats[0]).exists()

    client.post(url, {"action": "reactivate", "_selected_action": selected})

    assert Category.objects.filter(pk__in=selected, is_active=True).count() == 2
    assert AuditEvent.objects.filter(entity="reports.category", action="retired").count() == 2


def test_a_supervisor_reads_categories_but_cannot_change_them():
    supervisor = supervisor_of(VINNYTSIA_OBLAST)
    cat = category("vandalism")
    client = logged_in(supervisor)

    page = client.get(reverse("admin:reports_category_change", args=[cat.pk]))
    post = client.post(
        reverse("admin:reports_category_change", args=[cat.pk]),
        _category_form(cat, precision="hidden"),
    )

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert post.status_code == 403
    assert client.get(reverse("admin:reports_category_add")).status_code == 403
    assert Category.objects.get(pk=cat.pk).precision == Precision.EXACT


# --- reports ------------------------------------------------------------------------------


def test_the_report_register_loads_searches_and_filters(superuser):
    hromada = _hromada(VINNYTSIA_OBLAST)
    wanted = _report_in(hromada, tracking_code="ABCD-EFGH-JKMN")
    confirmed = _report_in(hromada, status=Status.CONFIRMED, category=category("speeding"))
    client = logged_in(superuser)
    url = reverse("admin:reports_report_changelist")

    listed = client.get(url)
    found = client.get(url, {"q": "efgh"}).context["cl"].result_list
    by_status = client.get(url, {"status__exact": "confirmed"}).context["cl"].result_list
    by_category = client.get(url, {"category__id__exact": confirmed.category_id})
    by_level = client.get(url, {"area_level": "community"}).context["cl"].result_list
    no_beats = client.get(url, {"area_level": "service_area"}).context["cl"].result_list

    assert listed.status_code == 200
    assert list(found) == [wanted]
    assert list(by_status) == [confirmed]
    assert list(by_category.context["cl"].result_list) == [confirmed]
    assert set(by_level) == {wanted, confirmed}
    assert not no_beats


def test_a_report_shows_its_history_read_only_and_cannot_be_added_changed_or_deleted(
    superuser,
):
    report = _report_in(_hromada(VINNYTSIA_OBLAST), description="Розбита лавка")
    ReportEvent.objects.create(
        report=report, action="submitted", to_status="submitted", note="перша подія"
    )
    client = logged_in(superuser)
    change_url = reverse("admin:reports_report_change", args=[report.pk])

    page = client.get(change_url)
    post = client.post(change_url, {"status": "resolved"})
    delete = client.post(reverse("admin:reports_report_delete", args=[report.pk]), {"post": "yes"})

    html = page.content.decode()
    assert page.status_code == 200
    assert "перша подія" in html
    assert 'name="_save"' not in html
    assert 'id="id_location_view"' in html
    assert post.status_code == 403
    assert delete.status_code == 403
    assert client.get(reverse("admin:reports_report_add")).status_code == 403
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_a_supervisor_sees_only_the_reports_of_their_region():
    supervisor = supervisor_of(VINNYTSIA_OBLAST)
    mine = _report_in(_hromada(VINNYTSIA_OBLAST))
    theirs = _report_in(_hromada(DNIPRO_OBLAST))
    client = logged_in(supervisor)

    listed = client.get(reverse("admin:reports_report_changelist")).context["cl"].result_list

    assert list(listed) == [mine]
    assert client.get(reverse("admin:reports_report_change", args=[mine.pk])).status_code == 200
    assert client.get(reverse("admin:reports_report_change", args=[theirs.pk])).status_code == 403


def test_an_officer_sees_the_reports_of_their_own_area_only():
    hromada = Area.objects.get(code=VINNYTSIA_HROMADA)
    user = officer_user_of(hromada)
    mine = _report_in(hromada)
    _report_in(_hromada(VINNYTSIA_OBLAST, 3))
    client = logged_in(user)

    listed = client.get(reverse("admin:reports_report_changelist")).context["cl"].result_list

    assert list(listed) == [mine]


def test_an_officer_also_sees_a_report_assigned_to_them_outside_their_areas():
    hromada = Area.objects.get(code=VINNYTSIA_HROMADA)
    user = officer_user_of(hromada)
    elsewhere = _report_in(_hromada(DNIPRO_OBLAST), assigned_officer=Officer.objects.get(user=user))
    client = logged_in(user)

    listed = client.get(reverse("admin:reports_report_changelist")).context["cl"].result_list
    page = client.get(reverse("admin:reports_report_change", args=[elsewhere.pk]))

    assert list(listed) == [elsewhere]
    assert page.status_code == 200


def test_a_staff_user_without_a_role_sees_no_reports():
    client = logged_in(user_in_role("nobody", None))

    assert client.get(reverse("admin:reports_report_changelist")).status_code == 403


# --- Open311 keys -------------------------------------------------------------------------


def test_a_new_key_is_shown_once_and_only_its_hash_is_stored(superuser):
    client = logged_in(superuser)

    response = client.post(
        reverse("admin:reports_open311key_add"), {"name": "FixMyStreet"}, follow=True
    )

    assert response.status_code == 200
    key = Open311Key.objects.get(name="FixMyStreet")
    shown = [str(m) for m in get_messages(response.wsgi_request)] or [
        str(m) for m in response.context["messages"]
    ]
    text = " ".join(shown)
    raw_key = text.split('<code class="blisko-admin-key">')[1].split("</code>")[0]
    assert key.key_hash == hashlib.sha256(raw_key.encode()).hexdigest()
    assert open311_key_check(raw_key=raw_key) == key
    assert (
        raw_key
        not in client.get(
            reverse("admin:reports_open311key_change", args=[key.pk])
        ).content.decode()
    )


def test_a_key_is_deactivated_never_deleted(superuser):
    key, raw_key = open311_key_create(name="old client")
    client = logged_in(superuser)
    url = reverse("admin:reports_open311key_changelist")

    actions = client.get(url).context["action_form"].fields["action"].choices
    delete = client.post(reverse("admin:reports_open311key_delete", args=[key.pk]), {"post": "y"})
    client.post(url, {"action": "deactivate", "_selected_action": [str(key.pk)]})

    assert "delete_selected" not in {name for name, _label in actions}
    assert delete.status_code == 403
    key.refresh_from_db()
    assert key.is_active is False
    assert AuditEvent.objects.filter(
        entity="reports.open311key", entity_id=str(key.pk), action="deactivated"
    ).exists()


def test_only_administrators_manage_open311_keys():
    supervisor = supervisor_of(VINNYTSIA_OBLAST)
    administrator = user_in_role("boss", "administrator")

    assert (
        logged_in(supervisor).get(reverse("admin:reports_open311key_changelist")).status_code == 403
    )
    assert logged_in(administrator).get(reverse("admin:reports_open311key_add")).status_code == 200
