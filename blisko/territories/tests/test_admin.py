"""The back office for areas and places: map-drawn boundaries, refusals, coverage and scope."""

import datetime as dt
import json

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.urls import reverse

from blisko.core.geo import GEO_SRID
from blisko.core.models import AuditEvent, DirectoryChange
from blisko.core.tests.helpers import (
    DNIPRO_OBLAST,
    KONIN_GMINA,
    VINNYTSIA_HROMADA,
    VINNYTSIA_OBLAST,
    logged_in,
    officer_user_of,
    supervisor_of,
)
from blisko.officers.models import Role
from blisko.officers.tests.factories import AssignmentFactory, UnitFactory
from blisko.territories.models import Area, AreaBoundary, Level, Place

pytestmark = pytest.mark.django_db

KONIN_CENTRE = (18.2513, 52.2230)


@pytest.fixture
def superuser() -> User:
    return User.objects.create_superuser("root", "root@example.org", "pw")


def _square(centre: tuple[float, float], size: float) -> MultiPolygon:
    lon, lat, h = centre[0], centre[1], size / 2
    ring = ((lon - h, lat - h), (lon + h, lat - h), (lon + h, lat + h), (lon - h, lat + h))
    return MultiPolygon(Polygon((*ring, ring[0])), srid=GEO_SRID)


def _area_form(area: Area | None = None, **values) -> dict:
    data = {
        "country": "PL",
        "level": Level.SERVICE_AREA,
        "code": "3062011-91",
        "parent": "",
        "name_official": "Konin — rejon testowy",
        "name_uk": "",
        "name_pl": "",
        "name_en": "",
        "contact_phone": "",
        "contact_email": "",
        "boundary": "",
        "boundary_valid_from": "",
        "population": "",
        "valid_from": "2025-01-01",
        "valid_to": "",
        # The read-only inline of boundary versions still sends its management form.
        "boundaries-TOTAL_FORMS": "0",
        "boundaries-INITIAL_FORMS": "0",
        "boundaries-MIN_NUM_FORMS": "0",
        "boundaries-MAX_NUM_FORMS": "0",
    }
    if area is not None:
        for name in list(data):
            if hasattr(area, name) and not name.startswith("boundar"):
                value = getattr(area, name)
                data[name] = "" if value is None else str(value)
        data["parent"] = str(area.parent_id or "")
        data["boundary"] = area.boundary.geojson if area.boundary else ""
        versions = area.boundaries.count()
        data["boundaries-TOTAL_FORMS"] = data["boundaries-INITIAL_FORMS"] = str(versions)
        for index, version in enumerate(area.boundaries.order_by("-valid_from")):
            data[f"boundaries-{index}-id"] = str(version.pk)
            data[f"boundaries-{index}-area"] = str(area.pk)
    data.update({k: str(v) for k, v in values.items()})
    return data


@pytest.mark.parametrize("code", [VINNYTSIA_HROMADA, KONIN_GMINA, VINNYTSIA_OBLAST, "UA"])
def test_the_area_list_add_and_change_pages_load_for_a_superuser(superuser, code):
    client = logged_in(superuser)
    area = Area.objects.get(code=code)

    for url in [
        reverse("admin:territories_area_changelist"),
        reverse("admin:territories_area_add"),
        reverse("admin:territories_area_change", args=[area.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url


def test_the_area_list_filters_by_level_and_country_and_searches_names_and_codes(superuser):
    client = logged_in(superuser)
    url = reverse("admin:territories_area_changelist")

    regions = client.get(url, {"level": "region", "country": "UA"}).context["cl"]
    by_name = client.get(url, {"q": "Вінницька міська"}).context["cl"]
    by_code = client.get(url, {"q": KONIN_GMINA}).context["cl"]

    assert {a.code for a in regions.result_list} == {VINNYTSIA_OBLAST, DNIPRO_OBLAST}
    assert [a.code for a in by_name.result_list] == [VINNYTSIA_HROMADA]
    assert [a.code for a in by_code.result_list] == [KONIN_GMINA]


def test_the_place_list_and_page_load_and_search(superuser):
    client = logged_in(superuser)
    place = Place.objects.filter(name="Вінниця").first()

    found = client.get(reverse("admin:territories_place_changelist"), {"q": "Вінниця"})
    page = client.get(reverse("admin:territories_place_change", args=[place.pk]))

    assert found.status_code == 200
    assert place in found.context["cl"].result_list
    assert page.status_code == 200
    assert client.get(reverse("admin:territories_place_add")).status_code == 403


def test_the_boundary_is_edited_on_a_map_with_the_parent_outline_beneath(superuser):
    gmina = Area.objects.get(code=KONIN_GMINA)
    client = logged_in(superuser)

    response = client.get(reverse("admin:territories_area_add"), {"parent": gmina.pk})

    html = response.content.decode()
    assert response.status_code == 200
    assert "leaflet/leaflet.js" in html and "leaflet/draw/leaflet.draw.js" in html
    assert 'id="id_boundary"' in html
    reference = html.split('id="id_boundary-reference"', 1)[1].split(">", 1)[1]
    reference = json.loads(reference.split("</script>", 1)[0])
    assert reference["features"][0]["properties"]["kind"] == "parent"
    assert KONIN_GMINA in reference["features"][0]["properties"]["name"]


def test_a_service_area_drawn_in_the_admin_is_created_with_a_boundary_version(superuser):
    gmina = Area.objects.get(code=KONIN_GMINA)
    client = logged_in(superuser)
    drawn = _square(KONIN_CENTRE, 0.01)

    response = client.post(
        reverse("admin:territories_area_add"),
        _area_form(parent=gmina.pk, boundary=drawn.geojson, name_pl="Konin — rejon testowy"),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    area = Area.objects.get(code="3062011-91")
    assert area.parent == gmina
    assert area.level == Level.SERVICE_AREA
    version = AreaBoundary.objects.get(area=area)
    assert version.valid_to is None
    assert version.source == "admin"
    assert version.boundary.equals_exact(drawn, 1e-9)
    assert area.boundary.equals_exact(drawn, 1e-9)
    assert AuditEvent.objects.filter(
        entity="territories.area", entity_id=str(area.pk), action="created", actor=superuser
    ).exists()
    assert DirectoryChange.objects.filter(entity="area", entity_id=area.pk).exists()


def test_a_redrawn_boundary_closes_the_old_version_on_the_chosen_date(superuser):
    gmina = Area.objects.get(code=KONIN_GMINA)
    client = logged_in(superuser)
    client.post(
        reverse("admin:territories_area_add"),
        _area_form(
            parent=gmina.pk,
            boundary=_square(KONIN_CENTRE, 0.01).geojson,
            boundary_valid_from="2025-01-01",
        ),
    )
    area = Area.objects.get(code="3062011-91")
    redrawn = _square(KONIN_CENTRE, 0.02)

    response = client.post(
        reverse("admin:territories_area_change", args=[area.pk]),
        _area_form(area, boundary=redrawn.geojson, boundary_valid_from="2026-01-01"),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    old, new = AreaBoundary.objects.filter(area=area).order_by("valid_from")
    assert old.valid_to == dt.date(2026, 1, 1)
    assert (new.valid_from, new.valid_to) == (dt.date(2026, 1, 1), None)
    area.refresh_from_db()
    assert area.boundary.equals_exact(redrawn, 1e-9)


def test_changing_only_the_contact_keeps_the_boundary_versions(superuser):
    hromada = Area.objects.get(code=VINNYTSIA_HROMADA)
    versions = list(AreaBoundary.objects.filter(area=hromada).values_list("pk", "valid_to"))
    client = logged_in(superuser)

    response = client.post(
        reverse("admin:territories_area_change", args=[hromada.pk]),
        _area_form(hromada, contact_phone="+380 432 55 00 00", contact_email="pog@example.org"),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    hromada.refresh_from_db()
    assert hromada.contact_phone == "+380 432 55 00 00"
    assert list(AreaBoundary.objects.filter(area=hromada).values_list("pk", "valid_to")) == (
        versions
    )
    event = AuditEvent.objects.get(
        entity="territories.area", entity_id=str(hromada.pk), action="changed"
    )
    assert event.after["contact_email"] == "pog@example.org"
    assert event.before["contact_email"] == ""
    assert not AuditEvent.objects.filter(
        entity="territories.area", entity_id=str(hromada.pk), actor=superuser
    ).exclude(pk=event.pk)


def test_a_boundary_drawn_outside_its_parent_is_refused_and_nothing_is_written(superuser):
    gmina = Area.objects.get(code=KONIN_GMINA)
    client = logged_in(superuser)
    counts = (Area.objects.count(), AreaBoundary.objects.count(), AuditEvent.objects.count())

    response = client.post(
        reverse("admin:territories_area_add"),
        _area_form(parent=gmina.pk, boundary=_square((17.0, 52.0), 0.01).geojson),
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "outside the parent area" in str(form.errors["boundary"])
    assert form["code"].value() == "3062011-91"
    assert (
        Area.objects.count(),
        AreaBoundary.objects.count(),
        AuditEvent.objects.count(),
    ) == counts


def test_a_service_area_under_a_region_is_refused_on_the_form(superuser):
    client = logged_in(superuser)

    response = client.post(
        reverse("admin:territories_area_add"),
        _area_form(
            country="UA",
            code="UA05-TEST",
            parent=Area.objects.get(code=DNIPRO_OBLAST).pk,
            level=Level.REGION,
        ),
    )

    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
    assert not Area.objects.filter(code="UA05-TEST").exists()


def test_deleting_an_area_that_units_belong_to_is_refused_with_a_message(superuser):
    hromada = Area.objects.get(code=VINNYTSIA_HROMADA)
    UnitFactory(area=hromada)
    client = logged_in(superuser)

    response = client.post(
        reverse("admin:territories_area_delete", args=[hromada.pk]), {"post": "yes"}, follow=True
    )

    assert response.status_code == 200
    assert "police units" in response.content.decode()
    assert Area.objects.filter(pk=hromada.pk).exists()
    assert AreaBoundary.objects.filter(area=hromada).exists()


def test_a_bulk_delete_with_one_refused_area_deletes_none(superuser):
    gmina = Area.objects.get(code=KONIN_GMINA)
    client = logged_in(superuser)
    client.post(
        reverse("admin:territories_area_add"),
        _area_form(parent=gmina.pk, boundary=_square(KONIN_CENTRE, 0.01).geojson),
    )
    free = Area.objects.get(code="3062011-91")
    busy = Area.objects.get(code=VINNYTSIA_HROMADA)
    UnitFactory(area=busy)

    response = client.post(
        reverse("admin:territories_area_changelist"),
        {"action": "delete_selected", "_selected_action": [free.pk, busy.pk], "post": "yes"},
        follow=True,
    )

    assert response.status_code == 200
    assert "police units" in response.content.decode()
    assert Area.objects.filter(pk__in=[free.pk, busy.pk]).count() == 2


def test_deleting_an_unused_service_area_goes_through_the_service(superuser):
    gmina = Area.objects.get(code=KONIN_GMINA)
    client = logged_in(superuser)
    client.post(
        reverse("admin:territories_area_add"),
        _area_form(parent=gmina.pk, boundary=_square(KONIN_CENTRE, 0.01).geojson),
    )
    area = Area.objects.get(code="3062011-91")

    response = client.post(
        reverse("admin:territories_area_delete", args=[area.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Area.objects.filter(pk=area.pk).exists()
    assert DirectoryChange.objects.filter(entity="area", entity_id=area.pk, is_deleted=True)


# --- the coverage page --------------------------------------------------------------------


def _coverage(client) -> str:
    response = client.get(reverse("admin:territories_area_coverage"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_coverage_page_lists_an_uncovered_community_and_not_a_covered_one(superuser):
    covered = Area.objects.get(code=VINNYTSIA_HROMADA)
    uncovered = Area.objects.get(code="UA05020010000053508")  # Агрономічна громада
    AssignmentFactory(area=covered, role=Role.COMMUNITY_OFFICER)

    html = _coverage(logged_in(superuser))

    assert uncovered.code in html
    assert reverse("admin:territories_area_change", args=[uncovered.pk]) in html
    assert covered.code not in html
    assert "1 of 63 communities covered" in html
    assert "0 of 86 communities covered" in html
    assert "0 of 15 communities covered" in html


def test_a_community_covered_through_its_service_area_is_not_listed(superuser):
    gmina = Area.objects.get(code=KONIN_GMINA)
    client = logged_in(superuser)
    client.post(
        reverse("admin:territories_area_add"),
        _area_form(parent=gmina.pk, boundary=_square(KONIN_CENTRE, 0.01).geojson),
    )
    AssignmentFactory(area=Area.objects.get(code="3062011-91"), role=Role.DISTRICT_OFFICER)

    html = _coverage(client)

    assert f"<td>{KONIN_GMINA}</td>" not in html
    assert "1 of 15 communities covered" in html


def test_the_coverage_page_is_translated(superuser):
    html = _coverage(logged_in(superuser, language="uk"))

    assert '<html lang="uk"' in html


def test_the_admin_index_links_to_the_coverage_page(superuser):
    response = logged_in(superuser).get(reverse("admin:index"))

    assert reverse("admin:territories_area_coverage") in response.content.decode()


def test_a_supervisor_s_coverage_page_shows_only_their_region():
    client = logged_in(supervisor_of(VINNYTSIA_OBLAST))

    html = _coverage(client)

    assert f'id="region-{VINNYTSIA_OBLAST}"' in html
    assert f'id="region-{DNIPRO_OBLAST}"' not in html
    assert 'id="region-30"' not in html


def test_an_officer_can_read_the_coverage_page_of_their_region():
    user = officer_user_of(Area.objects.get(code=VINNYTSIA_HROMADA))

    html = _coverage(logged_in(user))

    assert f'id="region-{VINNYTSIA_OBLAST}"' in html
    assert f'id="region-{DNIPRO_OBLAST}"' not in html
    # A community outside the officer's own areas is listed, but not linked.
    elsewhere = Area.objects.get(code="UA05020010000053508")
    assert elsewhere.code in html
    assert reverse("admin:territories_area_change", args=[elsewhere.pk]) not in html


def test_a_user_without_a_role_cannot_open_the_coverage_page():
    user = User.objects.create_user("nobody", password="pw", is_staff=True)

    response = logged_in(user).get(reverse("admin:territories_area_coverage"))

    assert response.status_code == 403


def test_a_supervisor_gets_403_for_an_area_of_another_region_and_cannot_edit_their_own():
    client = logged_in(supervisor_of(VINNYTSIA_OBLAST))
    theirs = Area.objects.filter(code__startswith="UA12", level=Level.COMMUNITY).first()
    mine = Area.objects.get(code=VINNYTSIA_HROMADA)

    assert client.get(reverse("admin:territories_area_change", args=[theirs.pk])).status_code == 403
    page = client.get(reverse("admin:territories_area_change", args=[mine.pk]))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert (
        client.post(
            reverse("admin:territories_area_change", args=[mine.pk]), _area_form(mine)
        ).status_code
        == 403
    )


def test_a_user_who_may_only_view_an_area_sees_its_boundary_on_a_map_not_as_text():
    client = logged_in(supervisor_of(VINNYTSIA_OBLAST))
    hromada = Area.objects.get(code=VINNYTSIA_HROMADA)

    html = client.get(reverse("admin:territories_area_change", args=[hromada.pk])).content
    html = html.decode()

    assert 'id="id_boundary_view"' in html
    assert "leaflet/leaflet.js" in html
    assert "MULTIPOLYGON" not in html
    assert "boundary_valid_from" not in html
    assert "hromady_vinnytsia_dnipropetrovsk_katotth.geojson" in html  # the version's source
