"""Seed the 27 categories of Poland's National Map of Security Threats (KMZB). Reversible."""

from django.db import migrations

from blisko.reports.kmzb import KMZB_CATEGORIES, kmzb_categories_seed


def seed(apps, schema_editor):
    Category = apps.get_model("reports", "Category")
    kmzb_categories_seed(Category)


def unseed(apps, schema_editor):
    Category = apps.get_model("reports", "Category")
    codes = [c[0] for c in KMZB_CATEGORIES]
    Category.objects.filter(code__in=codes, reports__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
