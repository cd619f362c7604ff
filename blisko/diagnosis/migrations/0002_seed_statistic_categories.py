from django.db import migrations

from blisko.diagnosis.statistic_categories import STATISTIC_CATEGORIES, statistic_categories_seed


def seed(apps, schema_editor):
    statistic_categories_seed(
        apps.get_model("diagnosis", "StatisticCategory"), apps.get_model("reports", "Category")
    )


def unseed(apps, schema_editor):
    apps.get_model("diagnosis", "StatisticCategory").objects.filter(
        code__in=[c[0] for c in STATISTIC_CATEGORIES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("diagnosis", "0001_statistics"), ("reports", "0002_seed_kmzb_categories")]

    operations = [migrations.RunPython(seed, unseed)]
