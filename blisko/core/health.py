"""Health of the processes Blisko depends on, for /healthz and /readyz (blisko.core.views)."""

import logging

from django.db import DatabaseError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)

# How long /readyz lets PostgreSQL take over its `SELECT 1`: a load balancer asks every few
# seconds and must hear "not ready" from a database that is stuck, not wait with it.
READY_STATEMENT_TIMEOUT_MS = 2000


def database_is_ready(connection: BaseDatabaseWrapper) -> bool:
    """Whether the database of `connection` answers a `SELECT 1` (on PostgreSQL within
    READY_STATEMENT_TIMEOUT_MS).

    Opens the connection if it is closed. Any database error means "not ready" and is logged;
    the connection is left for Django to close at the end of the request if it broke.
    """
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # LOCAL: for this transaction only, never for the pooled connection's later use.
                cursor.execute(f"SET LOCAL statement_timeout = {READY_STATEMENT_TIMEOUT_MS}")
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError as error:
        logger.warning("Database %r not ready: %s", connection.alias, error)
        return False
