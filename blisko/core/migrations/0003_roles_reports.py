"""Data migration: the back office's groups get their permissions on the threat map (reports).

Runs `roles_sync` again now that the reports app's tables (and so its permissions) exist.
The reverse leaves the groups as they are; reversing reports' own migrations drops the
permissions with their content types.
"""

from django.db import migrations


def sync_roles(apps, schema_editor):
    from blisko.core.roles import roles_sync

    roles_sync(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_roles"),
        ("reports", "0002_seed_kmzb_categories"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
