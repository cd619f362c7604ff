import pytest

from blisko.reports.models import Category, Precision, VerifierRole
from blisko.reports.tests.factories import ReportFactory


@pytest.mark.django_db
def test_the_27_kmzb_categories_are_seeded_with_names_in_three_languages():
    assert Category.objects.count() == 27
    for c in Category.objects.all():
        assert c.name_pl and c.name_uk and c.name_en


@pytest.mark.django_db
def test_road_categories_go_to_traffic_officers_and_vulnerable_people_are_not_shown_precisely():
    assert Category.objects.get(code="speeding").verifier_role == VerifierRole.TRAFFIC
    assert Category.objects.get(code="vandalism").verifier_role == VerifierRole.LOCAL
    for code in ("drug-use", "minors-at-risk", "homeless-in-need"):
        assert Category.objects.get(code=code).precision != Precision.EXACT


@pytest.mark.django_db
def test_a_report_factory_makes_a_report_with_deadlines():
    report = ReportFactory()
    assert report.take_up_due_at < report.verify_due_at
