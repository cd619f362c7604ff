"""Data migration: the back office's groups (and the community head's) get their permissions
on the partnerships and engagement apps."""

from django.db import migrations


def sync_roles(apps, schema_editor):
    from blisko.core.roles import roles_sync

    roles_sync(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("engagement", "0001_engagement"),
        ("partnerships", "0001_partnerships"),
        ("plans", "0002_roles_plans"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
