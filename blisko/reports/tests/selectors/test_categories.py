import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from blisko.reports.models import Category
from blisko.reports.selectors import categories as categories_module
from blisko.reports.selectors.categories import category_by_code, category_list_clear
from blisko.reports.tests.factories import CategoryFactory, category

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_category_list():
    """Each test starts, and leaves the next one, without this process's category list."""
    category_list_clear()
    yield
    category_list_clear()


def test_a_category_is_found_by_its_code_and_an_unknown_code_is_not():
    found = category_by_code(code="vandalism")
    assert found == category("vandalism")
    assert (found.code, found.name_en, found.is_active) == (
        "vandalism",
        *Category.objects.values_list("name_en", "is_active").get(code="vandalism"),
    )
    assert category_by_code(code="flying-saucers") is None


def test_a_retirement_saved_without_updated_at_is_seen_at_the_next_check():
    assert category_by_code(code="begging").is_active
    retired = category("begging")
    retired.is_active = False
    retired.save(update_fields=["is_active"])  # updated_at stays as it was
    assert category_by_code(code="begging").is_active is False


def test_a_new_category_is_found_at_the_next_check():
    assert category_by_code(code="new-one") is None
    CategoryFactory(code="new-one")
    assert category_by_code(code="new-one").code == "new-one"


@override_settings(BLISKO_INDEX_CHECK_SECONDS=3600)
def test_between_checks_a_look_up_asks_the_database_nothing():
    category_by_code(code="vandalism")
    with CaptureQueriesContext(connection) as queries:
        assert category_by_code(code="speeding").code == "speeding"
    assert len(queries) == 0


def test_while_the_list_is_being_built_the_database_answers(monkeypatch):
    monkeypatch.setattr(categories_module._registry, "current", lambda: None)
    assert category_by_code(code="vandalism") == category("vandalism")
    assert category_by_code(code="flying-saucers") is None
