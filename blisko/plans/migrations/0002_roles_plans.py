"""Data migration: the back office's groups get their permissions on the plans."""

from django.db import migrations


def sync_roles(apps, schema_editor):
    from blisko.core.roles import roles_sync

    roles_sync(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_plans"), ("diagnosis", "0006_statistic_updated_at_unindexed")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
