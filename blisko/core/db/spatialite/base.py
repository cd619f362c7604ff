"""GeoDjango's SpatiaLite backend, initialising the metadata without the ISO tables.

SpatiaLite 5's InitSpatialMetaDataFull() creates ISO metadata tables whose triggers refer to
`rowid`; any later table rebuild by a migration then fails with "no such column: rowid"
(Django ticket #32935). The plain InitSpatialMetaData(1) has everything GeoDjango uses.

Its schema editor also drops a geometry column's spatial index only when there is one: on a
table rebuild Django drops idx_<table>_<column> for every geometry column, also for one made
with spatial_index=False (Report.location), and the rebuild then fails on the missing table.
"""

from django.contrib.gis.db.backends.spatialite.base import DatabaseWrapper as SpatialiteWrapper
from django.contrib.gis.db.backends.spatialite.schema import SpatialiteSchemaEditor


class SchemaEditor(SpatialiteSchemaEditor):
    sql_drop_spatial_index = "DROP TABLE IF EXISTS idx_%(table)s_%(column)s"


class DatabaseWrapper(SpatialiteWrapper):
    SchemaEditorClass = SchemaEditor

    def prepare_database(self):
        with self.cursor() as cursor:
            cursor.execute("PRAGMA table_info(geometry_columns);")
            if cursor.fetchall() == []:
                cursor.execute("SELECT InitSpatialMetaData(1)")
        super().prepare_database()
