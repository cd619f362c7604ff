"""Data migration: the incident categories (one per statistic category, counting towards it),
and the groups' permissions on the incidents, with the analyst role."""

from django.db import migrations

from blisko.diagnosis.statistic_categories import STATISTIC_CATEGORIES, incident_categories_seed


def seed(apps, schema_editor):
    from blisko.core.roles import roles_sync

    incident_categories_seed(
        apps.get_model("diagnosis", "IncidentCategory"),
        apps.get_model("diagnosis", "StatisticCategory"),
    )
    roles_sync(apps=apps)


def unseed(apps, schema_editor):
    apps.get_model("diagnosis", "IncidentCategory").objects.filter(
        code__in=[c[0] for c in STATISTIC_CATEGORIES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("diagnosis", "0004_incidents")]

    operations = [migrations.RunPython(seed, unseed)]
