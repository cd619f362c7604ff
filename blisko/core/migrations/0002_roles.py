"""Data migration: the back office's groups administrator, supervisor and officer."""

from django.db import migrations


def create_roles(apps, schema_editor):
    from blisko.core.roles import roles_sync

    roles_sync(apps=apps)


def remove_roles(apps, schema_editor):
    from blisko.core.roles import roles_remove

    roles_remove(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("territories", "0001_initial"),
        ("officers", "0002_assignment_one_primary_per_area"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
