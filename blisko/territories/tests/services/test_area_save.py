"""area_save and area_delete: the back office's writes to areas."""

import datetime as dt

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from blisko.core.exceptions import ApplicationError
from blisko.core.geo import GEO_SRID
from blisko.core.models import AuditEvent, DirectoryChange
from blisko.officers.tests.factories import AssignmentFactory, UnitFactory
from blisko.territories.models import Area, AreaBoundary, Country, Level, Place
from blisko.territories.services.areas import area_delete, area_save
from blisko.territories.services.imports import places_sync_areas

pytestmark = pytest.mark.django_db

KONIN_GMINA = "3062011"
KONIN_CENTRE = (18.2513, 52.2230)


def _square(centre: tuple[float, float], size: float) -> MultiPolygon:
    lon, lat, h = centre[0], centre[1], size / 2
    ring = ((lon - h, lat - h), (lon + h, lat - h), (lon + h, lat + h), (lon - h, lat + h))
    return MultiPolygon(Polygon((*ring, ring[0])), srid=GEO_SRID)


def _beat(**fields) -> Area:
    values = {
        "country": Country.POLAND,
        "level": Level.SERVICE_AREA,
        "code": "3062011-91",
        "name_official": "Konin — rejon testowy",
        "parent": Area.objects.get(code=KONIN_GMINA),
        "boundary": _square(KONIN_CENTRE, 0.01),
        "valid_from": dt.date(2025, 1, 1),
    }
    values.update(fields)
    return Area(**values)


def test_a_new_area_gets_its_first_boundary_version_an_audit_event_and_a_directory_change():
    area = area_save(area=_beat(), actor=None, boundary_valid_from=dt.date(2025, 1, 1))

    version = AreaBoundary.objects.get(area=area)
    assert (version.valid_from, version.valid_to, version.source) == (
        dt.date(2025, 1, 1),
        None,
        "admin",
    )
    assert AuditEvent.objects.filter(
        entity="territories.area", entity_id=str(area.pk), action="created"
    ).exists()
    assert DirectoryChange.objects.filter(entity="area", entity_id=area.pk).exists()


def test_a_changed_boundary_opens_a_new_version_and_keeps_the_old_one():
    area = area_save(area=_beat(), actor=None, boundary_valid_from=dt.date(2025, 1, 1))
    area.boundary = _square(KONIN_CENTRE, 0.02)

    area_save(area=area, actor=None, boundary_valid_from=dt.date(2025, 6, 1))

    old, new = AreaBoundary.objects.filter(area=area).order_by("valid_from")
    assert old.valid_to == dt.date(2025, 6, 1)
    assert new.valid_to is None
    assert new.boundary.equals_exact(_square(KONIN_CENTRE, 0.02), 1e-9)


def test_an_unchanged_boundary_adds_no_version():
    area = area_save(area=_beat(), actor=None)
    area.name_en = "Konin — test beat"

    area_save(area=area, actor=None)

    assert AreaBoundary.objects.filter(area=area).count() == 1
    assert Area.objects.get(pk=area.pk).name_en == "Konin — test beat"


def test_a_boundary_cannot_be_removed():
    area = area_save(area=_beat(), actor=None)
    area.boundary = None

    with pytest.raises(ApplicationError) as refused:
        area_save(area=area, actor=None)

    assert refused.value.extra["field"] == "boundary"
    assert Area.objects.get(pk=area.pk).boundary is not None


def test_a_self_intersecting_boundary_is_refused():
    bowtie = Polygon(
        ((18.24, 52.22), (18.26, 52.23), (18.26, 52.22), (18.24, 52.23), (18.24, 52.22))
    )

    with pytest.raises(ApplicationError) as refused:
        area_save(area=_beat(boundary=MultiPolygon(bowtie, srid=GEO_SRID)), actor=None)

    assert refused.value.extra["field"] == "boundary"
    assert not Area.objects.filter(code="3062011-91").exists()


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"parent": None}, "Only a country"),
        ({"level": Level.DISTRICT}, "cannot lie inside"),
        ({"country": Country.UKRAINE}, "another country"),
        ({"boundary": _square((17.0, 52.0), 0.01)}, "outside the parent"),
    ],
)
def test_an_area_must_fit_its_parent(fields, reason):
    with pytest.raises(ApplicationError) as refused:
        area_save(area=_beat(**fields), actor=None)

    assert reason in refused.value.message
    assert not Area.objects.filter(code="3062011-91").exists()


def test_an_area_cannot_be_placed_under_its_own_child():
    gmina = Area.objects.get(code=KONIN_GMINA)
    powiat = gmina.parent
    powiat.parent = gmina

    with pytest.raises(ApplicationError, match="inside itself"):
        area_save(area=powiat, actor=None)


def test_a_duplicate_code_is_refused_with_the_field_named():
    with pytest.raises(ApplicationError) as refused:
        area_save(area=_beat(code=KONIN_GMINA), actor=None)

    assert "code" in refused.value.extra["fields"]


@pytest.mark.parametrize("blocker", ["child", "assignment", "unit"])
def test_an_area_in_use_cannot_be_deleted(blocker):
    area = area_save(area=_beat(), actor=None)
    if blocker == "child":
        area = area.parent
    elif blocker == "assignment":
        AssignmentFactory(area=area, role="district_officer")
    else:
        UnitFactory(area=area)

    with pytest.raises(ApplicationError):
        area_delete(area=area, actor=None)

    assert Area.objects.filter(pk=area.pk).exists()


def test_deleting_an_unused_area_removes_its_versions_and_places_and_records_it():
    area = area_save(area=_beat(), actor=None)
    places_sync_areas()
    assert Place.objects.filter(area=area).exists()

    area_delete(area=area, actor=None)

    assert not AreaBoundary.objects.filter(area_id=area.pk).exists()
    assert not Place.objects.filter(area_id=area.pk).exists()
    assert DirectoryChange.objects.filter(entity="area", entity_id=area.pk, is_deleted=True)
    assert AuditEvent.objects.filter(
        entity="territories.area", entity_id=str(area.pk), action="deleted"
    ).exists()
