"""Categories: added, edited, retired and reactivated without touching old reports; a precision
change moves every report's public location in the same transaction."""

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blisko.core.exceptions import ApplicationError
from blisko.core.geo import GEO_SRID
from blisko.core.models import AuditEvent
from blisko.reports.models import Category, Precision, Report, VerifierRole
from blisko.reports.rules import public_location_for
from blisko.reports.services.categories import (
    category_delete,
    category_reactivate,
    category_retire,
    category_save,
)
from blisko.reports.tests.factories import CategoryFactory, ReportFactory, category

pytestmark = pytest.mark.django_db

POINTS = [(28.46817, 49.23314), (28.50123, 49.21001), (18.25131, 52.22302)]


def _reports_of(cat: Category) -> list[Report]:
    return [ReportFactory(category=cat, location=Point(*point, srid=GEO_SRID)) for point in POINTS]


def _events(cat: Category, action: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(entity="reports.category", entity_id=str(cat.pk), action=action)
    )


def test_a_new_category_is_validated_saved_and_audited():
    new = Category(
        code="noise-at-night",
        name_pl="hałas w nocy",
        name_uk="нічний шум",
        name_en="noise at night",
        verifier_role=VerifierRole.LOCAL,
        precision=Precision.REDUCED,
    )

    category_save(category=new, actor=None)

    assert Category.objects.get(code="noise-at-night").precision == Precision.REDUCED
    (event,) = _events(new, "created")
    assert event.after["name_en"] == "noise at night"


def test_a_category_with_a_taken_code_is_refused_and_nothing_is_written():
    before = (Category.objects.count(), AuditEvent.objects.count())
    duplicate = Category(code="vandalism", name_pl="x", name_uk="x", name_en="x")

    with pytest.raises(ApplicationError) as refused:
        category_save(category=duplicate, actor=None)

    assert "code" in refused.value.extra["fields"]
    assert (Category.objects.count(), AuditEvent.objects.count()) == before


def test_renaming_a_category_keeps_its_reports_and_records_the_change():
    cat = category("vandalism")
    reports = _reports_of(cat)
    cat.name_en = "vandalism and damage"

    category_save(category=cat, actor=None)

    assert Category.objects.get(pk=cat.pk).name_en == "vandalism and damage"
    assert set(Report.objects.filter(category=cat)) == set(reports)
    (event,) = _events(cat, "updated")
    assert event.before == {"name_en": "vandalism"}
    assert event.after == {"name_en": "vandalism and damage"}


def test_saving_an_unchanged_category_writes_nothing():
    cat = category("vandalism")

    category_save(category=cat, actor=None)

    assert not _events(cat, "updated")


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (Precision.EXACT, Precision.REDUCED),
        (Precision.EXACT, Precision.HIDDEN),
        (Precision.REDUCED, Precision.EXACT),
        (Precision.HIDDEN, Precision.REDUCED),
        (Precision.REDUCED, Precision.HIDDEN),
    ],
)
def test_changing_the_precision_recomputes_every_report_s_public_location(start, end):
    cat = CategoryFactory(precision=start)
    reports = _reports_of(cat)
    other = ReportFactory(category=category("vandalism"))
    other_location = other.public_location
    cat.precision = end

    category_save(category=cat, actor=None)

    for report in reports:
        report.refresh_from_db()
        expected = public_location_for(report.location, end)
        if expected is None:
            assert report.public_location is None
        else:
            assert report.public_location.equals_exact(expected, tolerance=1e-9)
    other.refresh_from_db()
    assert other.public_location.equals_exact(other_location)
    (event,) = _events(cat, "updated")
    assert event.before == {"precision": start} and event.after == {"precision": end}
    assert "3 report(s)" in event.note


def test_a_precision_change_that_fails_moves_no_report():
    cat = CategoryFactory(precision=Precision.EXACT)
    (report, *_rest) = _reports_of(cat)
    cat.precision = Precision.HIDDEN
    cat.name_en = ""  # required: the whole save is refused

    with pytest.raises(ApplicationError):
        category_save(category=cat, actor=None)

    report.refresh_from_db()
    assert report.public_location is not None
    assert Category.objects.get(pk=cat.pk).precision == Precision.EXACT


def test_reducing_many_reports_runs_in_batches_not_one_query_per_report():
    cat = CategoryFactory(precision=Precision.EXACT)
    for index in range(30):
        ReportFactory(category=cat, location=Point(28.4 + index / 1000, 49.2, srid=GEO_SRID))
    cat.precision = Precision.REDUCED

    with CaptureQueriesContext(connection) as queries:
        category_save(category=cat, actor=None)

    assert len(queries) < 15
    assert not Report.objects.filter(category=cat, public_location__isnull=True).exists()


def test_the_code_of_a_category_with_reports_cannot_change():
    cat = category("vandalism")
    ReportFactory(category=cat)
    cat.code = "vandalism-2"

    with pytest.raises(ApplicationError) as refused:
        category_save(category=cat, actor=None)

    assert refused.value.extra == {"field": "code"}
    assert Category.objects.filter(code="vandalism").exists()


def test_the_code_of_a_category_without_reports_may_change():
    cat = CategoryFactory(code="typo-categroy")
    cat.code = "typo-category"

    category_save(category=cat, actor=None)

    assert Category.objects.filter(code="typo-category").exists()


def test_retiring_keeps_the_reports_and_reactivating_offers_the_category_again():
    cat = category("begging")
    reports = _reports_of(cat)

    category_retire(category=cat, actor=None)
    category_retire(category=cat, actor=None)  # idempotent

    assert Category.objects.get(pk=cat.pk).is_active is False
    assert set(Report.objects.filter(category=cat)) == set(reports)
    assert len(_events(cat, "retired")) == 1

    category_reactivate(category=cat, actor=None)

    assert Category.objects.get(pk=cat.pk).is_active is True
    assert len(_events(cat, "reactivated")) == 1


def test_a_category_with_reports_is_never_deleted():
    cat = category("vandalism")
    ReportFactory(category=cat)

    with pytest.raises(ApplicationError) as refused:
        category_delete(category=cat, actor=None)

    assert "Retire" in refused.value.message
    assert Category.objects.filter(pk=cat.pk).exists()
    assert not _events(cat, "deleted")


def test_a_category_without_reports_can_be_deleted():
    cat = CategoryFactory()
    pk = cat.pk

    category_delete(category=cat, actor=None)

    assert not Category.objects.filter(pk=pk).exists()
    assert AuditEvent.objects.filter(
        entity="reports.category", entity_id=str(pk), action="deleted"
    ).exists()
