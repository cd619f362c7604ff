"""At most one primary officer per area on any day, enforced by the database itself.

PostgreSQL: an exclusion constraint over the inclusive date range (needs btree_gist for `=` on
the area id inside a GiST index). SQLite has no exclusion constraints, so two triggers refuse
an overlapping primary assignment on insert and update.
"""

from django.db import migrations

PG_UP = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """ALTER TABLE officers_assignment ADD CONSTRAINT assignment_one_primary_per_area
       EXCLUDE USING gist (area_id WITH =, daterange(starts_on, ends_on, '[]') WITH &&)
       WHERE (is_primary)""",
]
PG_DOWN = ["ALTER TABLE officers_assignment DROP CONSTRAINT assignment_one_primary_per_area"]

_SQLITE_CHECK = """
    SELECT RAISE(ABORT, 'assignment_one_primary_per_area')
    WHERE NEW.is_primary AND EXISTS (
        SELECT 1 FROM officers_assignment a
        WHERE a.area_id = NEW.area_id AND a.is_primary AND a.id IS NOT NEW.id
          AND a.starts_on <= COALESCE(NEW.ends_on, '9999-12-31')
          AND COALESCE(a.ends_on, '9999-12-31') >= NEW.starts_on
    );
"""
SQLITE_UP = [
    f"""CREATE TRIGGER assignment_one_primary_per_area_insert
        BEFORE INSERT ON officers_assignment BEGIN {_SQLITE_CHECK} END""",
    f"""CREATE TRIGGER assignment_one_primary_per_area_update
        BEFORE UPDATE ON officers_assignment BEGIN {_SQLITE_CHECK} END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS assignment_one_primary_per_area_insert",
    "DROP TRIGGER IF EXISTS assignment_one_primary_per_area_update",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("officers", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_UP, "sqlite": SQLITE_UP}),
            _run({"postgresql": PG_DOWN, "sqlite": SQLITE_DOWN}),
        )
    ]
