"""GeoDjango's SpatiaLite backend, made safe for many writers and a few repairs.

Writers. One SQLite file is shared by every gunicorn worker and thread. In its default
(rollback-journal, DEFERRED) mode a transaction that reads first and writes later can meet
another writer halfway and fail at once with "database is locked", whatever the busy timeout:
that is how 40 residents at the same moment got 34 server errors. Here every connection is in
WAL mode (readers never wait for the writer, nor it for them), waits up to
BLISKO_SQLITE_BUSY_TIMEOUT_SECONDS for the lock, and every transaction begins with BEGIN
IMMEDIATE (Django's `transaction_mode`), so it takes the write lock before it reads anything
and can never be refused halfway. A BEGIN that still meets the lock after the timeout is tried
again BLISKO_SQLITE_LOCK_RETRIES times, after a short random pause; after that the
OperationalError goes up, and the site answers 503 with Retry-After
(blisko.core.unavailable), nothing having been written.

Metadata. SpatiaLite 5's InitSpatialMetaDataFull() creates ISO metadata tables whose triggers
refer to `rowid`; any later table rebuild by a migration then fails with "no such column:
rowid" (Django ticket #32935). The plain InitSpatialMetaData(1) has everything GeoDjango uses.

Its schema editor also drops a geometry column's spatial index only when there is one: on a
table rebuild Django drops idx_<table>_<column> for every geometry column, also for one made
with spatial_index=False (Report.location), and the rebuild then fails on the missing table.
"""

import logging
import random
import time

from django.conf import settings
from django.contrib.gis.db.backends.spatialite.base import DatabaseWrapper as SpatialiteWrapper
from django.contrib.gis.db.backends.spatialite.schema import SpatialiteSchemaEditor
from django.db.utils import OperationalError

logger = logging.getLogger(__name__)

# SQLite's words for a lock it could not get within the busy timeout.
LOCKED_MESSAGES = ("database is locked", "database table is locked", "database is busy")


def is_lock_error(error: BaseException) -> bool:
    """Whether `error` is SQLite giving up on a lock (not a broken query)."""
    return isinstance(error, OperationalError) and any(
        words in str(error).lower() for words in LOCKED_MESSAGES
    )


class SchemaEditor(SpatialiteSchemaEditor):
    sql_drop_spatial_index = "DROP TABLE IF EXISTS idx_%(table)s_%(column)s"


class DatabaseWrapper(SpatialiteWrapper):
    SchemaEditorClass = SchemaEditor

    def get_connection_params(self):
        options = self.settings_dict.setdefault("OPTIONS", {})
        options.setdefault("timeout", settings.BLISKO_SQLITE_BUSY_TIMEOUT_SECONDS)
        options.setdefault("transaction_mode", "IMMEDIATE")
        return super().get_connection_params()

    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        # Loading mod_spatialite sets its own busy timeout (5 s): put ours back.
        timeout_ms = int(float(conn_params.get("timeout", 5)) * 1000)
        conn.execute(f"PRAGMA busy_timeout = {timeout_ms}")
        if not self.is_in_memory_db():
            # WAL is kept by the file once set; NORMAL is WAL's safe and fast level (a power
            # cut may lose the last commits, never corrupt the file).
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    def _start_transaction_under_autocommit(self):
        retries = settings.BLISKO_SQLITE_LOCK_RETRIES
        for attempt in range(retries + 1):
            try:
                super()._start_transaction_under_autocommit()
                return
            except OperationalError as error:
                if not is_lock_error(error) or attempt == retries:
                    raise
                logger.warning(
                    "SQLite write lock busy; BEGIN again (%d of %d)", attempt + 1, retries
                )
                time.sleep(random.uniform(0.05, 0.25) * (attempt + 1))

    def prepare_database(self):
        with self.cursor() as cursor:
            cursor.execute("PRAGMA table_info(geometry_columns);")
            if cursor.fetchall() == []:
                cursor.execute("SELECT InitSpatialMetaData(1)")
        super().prepare_database()
