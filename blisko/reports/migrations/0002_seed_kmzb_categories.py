"""Seed the 27 categories of Poland's National Map of Security Threats (KMZB). Reversible."""

from django.db import migrations

from blisko.reports.kmzb import KMZB_CATEGORIES


def seed(apps, schema_editor):
    Category = apps.get_model("reports", "Category")
    for order, (code, pl, uk, en, role, precision) in enumerate(KMZB_CATEGORIES, start=1):
        Category.objects.update_or_create(
            code=code,
            defaults={
                "name_pl": pl,
                "name_uk": uk,
                "name_en": en,
                "verifier_role": role,
                "precision": precision,
                "sort_order": order * 10,
            },
        )


def unseed(apps, schema_editor):
    Category = apps.get_model("reports", "Category")
    codes = [c[0] for c in KMZB_CATEGORIES]
    Category.objects.filter(code__in=codes, reports__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
