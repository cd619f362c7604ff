"""factory_boy factories for the threat map.

`ReportFactory` makes a report directly (no routing, no rules) in a square area far from the
demo boundaries unless given `area` and `location`; use the services to test behaviour.
"""

import datetime as dt

import factory
from django.contrib.gis.geos import Point
from django.utils import timezone

from blisko.core.geo import GEO_SRID
from blisko.officers.tests.factories import FAR_AWAY, AreaFactory
from blisko.reports.models import Category, Report, Status
from blisko.reports.rules import deadlines_for, public_location_for


def category(code: str = "vandalism") -> Category:
    """One of the seeded KMZB categories."""
    return Category.objects.get(code=code)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    code = factory.Sequence(lambda n: f"test-category-{n}")
    name_pl = factory.Sequence(lambda n: f"kategoria {n}")
    name_uk = factory.Sequence(lambda n: f"категорія {n}")
    name_en = factory.Sequence(lambda n: f"category {n}")


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    tracking_code = factory.Sequence(lambda n: f"TEST-{n:04d}-0000")
    category = factory.LazyFunction(category)
    area = factory.SubFactory(AreaFactory)
    location = factory.LazyFunction(lambda: Point(*FAR_AWAY, srid=GEO_SRID))
    public_location = factory.LazyAttribute(
        lambda o: public_location_for(o.location, o.category.precision)
    )
    status = Status.SUBMITTED
    take_up_due_at = factory.LazyFunction(lambda: deadlines_for(timezone.now())[0])
    verify_due_at = factory.LazyFunction(lambda: deadlines_for(timezone.now())[1])

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        created_at = kwargs.pop("created_at", None)
        report = super()._create(model_class, *args, **kwargs)
        if created_at is not None:
            take_up, verify = deadlines_for(created_at)
            model_class.objects.filter(pk=report.pk).update(
                created_at=created_at, take_up_due_at=take_up, verify_due_at=verify
            )
            report.refresh_from_db()
        return report


__all__ = ["CategoryFactory", "ReportFactory", "category", "dt"]
