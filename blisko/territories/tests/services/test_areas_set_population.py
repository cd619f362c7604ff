"""`areas_set_population`: many areas' populations at once, each change audited."""

import pytest

from blisko.core.exceptions import ApplicationError
from blisko.core.models import AuditEvent
from blisko.officers.tests.factories import AreaFactory

pytestmark = pytest.mark.django_db


def test_each_change_is_audited_and_an_unchanged_one_is_not():
    from blisko.territories.services.areas import areas_set_population

    first, second = AreaFactory(population=100), AreaFactory(population=None)
    assert areas_set_population(populations={first.pk: 100, second.pk: 2500}, note="census") == 1
    second.refresh_from_db()
    assert second.population == 2500
    audit = AuditEvent.objects.get(entity="territories.area", action="population")
    assert audit.before == {"population": None} and audit.after == {"population": 2500}
    with pytest.raises(ApplicationError):
        areas_set_population(populations={first.pk: -1})
    first.refresh_from_db()
    assert first.population == 100
