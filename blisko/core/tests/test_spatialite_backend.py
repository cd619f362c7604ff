"""Blisko's SpatiaLite backend: a table rebuild keeps working when a geometry column has no
spatial index (as Report.location), which Django's own schema editor does not manage."""

import pytest
from django.contrib.gis.db import models
from django.db import connection, connections
from django.test.utils import isolate_apps

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="the SpatiaLite backend's schema editor"
    ),
]


@isolate_apps("blisko.core")
def test_a_table_with_an_unindexed_geometry_column_can_be_rebuilt(tmp_path):
    class Spot(models.Model):
        place = models.PointField(srid=4326, spatial_index=False)
        shown = models.PointField(srid=4326, null=True)  # with its index, as public_location
        label = models.CharField(max_length=10, null=True)

        class Meta:
            app_label = "core"

    settings = {**connection.settings_dict, "NAME": str(tmp_path / "rebuild.sqlite3")}
    spatialite = type(connections["default"])(settings, alias="rebuild")
    connections["rebuild"] = spatialite  # schema_editor's atomic() looks the alias up
    try:
        spatialite.prepare_database()  # the spatial metadata, as `migrate` makes it
        with spatialite.schema_editor() as editor:
            editor.create_model(Spot)
        with spatialite.cursor() as cursor:
            cursor.execute(
                "INSERT INTO core_spot (place, shown, label) VALUES "
                "(MakePoint(18.25, 52.22, 4326), MakePoint(18.2, 52.2, 4326), 'a')"
            )
        old = Spot._meta.get_field("label")
        new = models.CharField(max_length=20, default="")  # NOT NULL: SQLite rebuilds the table
        new.set_attributes_from_name("label")
        new.model = Spot
        with spatialite.schema_editor() as editor:
            editor.alter_field(Spot, old, new)

        with spatialite.cursor() as cursor:
            cursor.execute("SELECT X(place), label FROM core_spot")
            assert cursor.fetchall() == [(18.25, "a")]
            cursor.execute(
                "SELECT f_geometry_column FROM geometry_columns "
                "WHERE f_table_name = 'core_spot' ORDER BY 1"
            )
            assert cursor.fetchall() == [("place",), ("shown",)]  # both still geometries
    finally:
        spatialite.close()
        del connections["rebuild"]
