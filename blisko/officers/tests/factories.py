"""factory_boy factories for units, officers, assignments and the small areas they serve.

Each factory records a directory change for what it creates, as the services do, so caches
keyed on the directory version (officer_find) see factory-made rows too. Geometry is a small
valid square (about 700 m) around `centre`, far from the demo boundaries unless a test puts
it inside one.
"""

import datetime as dt

import factory
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.utils import timezone

from blisko.core.geo import GEO_SRID
from blisko.core.services import directory_touch
from blisko.officers.models import PRIMARY_ROLES, Assignment, Officer, Role, Unit
from blisko.territories.models import Area, AreaBoundary, Country, Level

_DIRECTORY_ENTITY = {Area: "area", Unit: "unit", Officer: "officer", Assignment: "assignment"}

# A spot in the Carpathians, outside every demo boundary.
FAR_AWAY = (24.0, 48.2)


def square(centre: tuple[float, float], size: float = 0.01) -> MultiPolygon:
    """A valid square MultiPolygon of `size` degrees around centre (lon, lat)."""
    lon, lat = centre
    half = size / 2
    ring = (
        (lon - half, lat - half),
        (lon + half, lat - half),
        (lon + half, lat + half),
        (lon - half, lat + half),
        (lon - half, lat - half),
    )
    return MultiPolygon(Polygon(ring), srid=GEO_SRID)


class _Touching(factory.django.DjangoModelFactory):
    """Records a directory change for each created row."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = super()._create(model_class, *args, **kwargs)
        directory_touch(entity=_DIRECTORY_ENTITY[model_class], entity_id=obj.pk)
        return obj


class AreaFactory(_Touching):
    """A community (by default) with a square boundary and its open boundary version."""

    class Meta:
        model = Area
        skip_postgeneration_save = True

    class Params:
        centre = FAR_AWAY
        size = 0.01

    country = Country.UKRAINE
    level = Level.COMMUNITY
    code = factory.Sequence(lambda n: f"TEST{n:06d}")
    name_official = factory.Sequence(lambda n: f"Тестова громада {n}")
    name_uk = factory.LazyAttribute(lambda o: o.name_official)
    name_pl = factory.Sequence(lambda n: f"Gmina testowa {n}")
    name_en = factory.Sequence(lambda n: f"Test community {n}")
    parent = None
    boundary = factory.LazyAttribute(lambda o: square(o.centre, o.size))
    valid_from = dt.date(2020, 1, 1)

    @factory.post_generation
    def boundary_version(obj, create, extracted, **kwargs):
        if create and obj.boundary is not None:
            AreaBoundary.objects.create(
                area=obj, boundary=obj.boundary, valid_from=obj.valid_from, source="factory"
            )


class ServiceAreaFactory(AreaFactory):
    """A service area (beat) under a community: pass `parent` and a `centre` inside it."""

    level = Level.SERVICE_AREA
    country = factory.LazyAttribute(lambda o: o.parent.country if o.parent else Country.UKRAINE)
    code = factory.LazyAttributeSequence(
        lambda o, n: f"{o.parent.code if o.parent else 'TEST'}-S{n:04d}"
    )
    name_official = factory.Sequence(lambda n: f"Дільниця {n}")
    size = 0.004


class UnitFactory(_Touching):
    class Meta:
        model = Unit

    country = Country.UKRAINE
    name = factory.Sequence(lambda n: f"Відділ поліції № {n}")
    address = factory.Sequence(lambda n: f"вул. Соборна, {n}")
    location = factory.LazyFunction(lambda: Point(*FAR_AWAY, srid=GEO_SRID))
    phone = "+380 43 200 00 00"
    opening_hours = "Пн–Пт 8:00–17:00"


class OfficerFactory(_Touching):
    class Meta:
        model = Officer

    first_name = factory.Sequence(lambda n: f"Олена{n}")
    last_name = factory.Sequence(lambda n: f"Коваленко{n}")
    rank = "капітан поліції"
    badge_number = factory.Sequence(lambda n: f"T{n:07d}")
    unit = factory.SubFactory(UnitFactory)
    is_active = True


class AssignmentFactory(_Touching):
    """An assignment saved directly (no service rules), primary when its role is primary."""

    class Meta:
        model = Assignment

    officer = factory.SubFactory(OfficerFactory)
    area = factory.SubFactory(AreaFactory)
    role = Role.COMMUNITY_OFFICER
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=365))
    ends_on = None
    covers = None
    cover_reason = ""
    is_primary = factory.LazyAttribute(lambda o: o.role in PRIMARY_ROLES and o.covers is None)
