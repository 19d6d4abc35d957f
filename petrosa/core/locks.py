"""Named locks held until the end of the current transaction."""

from __future__ import annotations

import zlib

from django.db import connection


def lock_for_transaction(name: str) -> None:
    """Serialize every transaction that takes the same name, across processes.

    PostgreSQL: pg_advisory_xact_lock, released at commit or rollback. SQLite
    serializes writers on its own (IMMEDIATE transactions), so nothing to do.
    Must be called inside transaction.atomic().
    """
    if connection.vendor != "postgresql":
        return
    key = zlib.crc32(name.encode()) - 2**31  # fits PostgreSQL's signed bigint
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
