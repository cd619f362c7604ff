"""Data migration: the back office's groups get their permissions on the statistics."""

from django.db import migrations


def sync_roles(apps, schema_editor):
    from blisko.core.roles import roles_sync

    roles_sync(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("diagnosis", "0002_seed_statistic_categories"), ("core", "0003_roles_reports")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
