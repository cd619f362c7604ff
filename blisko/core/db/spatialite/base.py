"""GeoDjango's SpatiaLite backend, initialising the metadata without the ISO tables.

SpatiaLite 5's InitSpatialMetaDataFull() creates ISO metadata tables whose triggers refer to
`rowid`; any later table rebuild by a migration then fails with "no such column: rowid"
(Django ticket #32935). The plain InitSpatialMetaData(1) has everything GeoDjango uses.
"""

from django.contrib.gis.db.backends.spatialite.base import DatabaseWrapper as SpatialiteWrapper


class DatabaseWrapper(SpatialiteWrapper):
    def prepare_database(self):
        with self.cursor() as cursor:
            cursor.execute("PRAGMA table_info(geometry_columns);")
            if cursor.fetchall() == []:
                cursor.execute("SELECT InitSpatialMetaData(1)")
        super().prepare_database()
