"""Saving a new signal and its ``signal.received`` audit row in one statement.

Two ORM inserts in a transaction cost four round trips to PostgreSQL (BEGIN,
INSERT, INSERT, COMMIT), and the web process waits on each one. Here the audit
INSERT reads the new signal's id from a data-modifying CTE, so both rows are
written by one statement: one round trip, and still all or nothing, because a
statement is atomic even in autocommit. ``ON CONFLICT DO NOTHING`` answers a
reused idempotency key with "no row" instead of an error, so no savepoint is
needed to recover from it.

SQLite (the embedded quick start) has no data-modifying CTEs and takes the
ORM path, which keeps the same guarantees with more round trips.
"""

from __future__ import annotations

import functools

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import CharField, Field, Model, TextField

from petrosa.core.models import AuditEvent
from signals_app.models import Signal


def signal_with_audit_insert(signal: Signal, event: AuditEvent) -> bool:
    """Insert both (event.entity_id becomes the signal's id). False, and nothing
    written, when the strategy already has a signal with this idempotency key."""
    if connection.vendor != "postgresql":
        return _orm_insert(signal, event)
    if not connection.in_atomic_block:
        return _one_statement_insert(signal, event)
    # Inside a caller's transaction a failed statement would poison it: keep the
    # savepoint the nested atomic() always gave, so the caller can go on.
    with transaction.atomic():
        return _one_statement_insert(signal, event)


def _one_statement_insert(signal: Signal, event: AuditEvent) -> bool:
    sql, signal_fields, audit_fields = _statement()
    db = connections[DEFAULT_DB_ALIAS]  # this thread's connection, not the proxy (looked up per attribute)
    with db.cursor() as cursor:
        cursor.execute(sql, [*_values(signal, signal_fields, db), *_values(event, audit_fields, db)])
        row = cursor.fetchone()
    if row is None:
        return False
    _mark_saved(signal, row[0])
    event.entity_id = str(row[0])
    _mark_saved(event, row[1])
    return True


@functools.cache
def _statement() -> tuple[str, list[Field], list[Field]]:
    """The SQL, built once from the models (it only depends on their columns), and
    the fields whose values fill its placeholders, in order. Built per request by
    the ORM's compiler it was a measurable share of the request."""
    qn = connection.ops.quote_name
    signal_fields = _insertable(Signal)
    audit_fields = [f for f in _insertable(AuditEvent) if f.attname != "entity_id"]
    signal_pk = qn(Signal._meta.pk.column)
    audit_pk = qn(AuditEvent._meta.pk.column)
    # Non-text values carry their type: in INSERT ... SELECT PostgreSQL does not take it from the target column.
    audit_values = {
        f.attname: "%s" if isinstance(f, (CharField, TextField)) else f"%s::{f.db_type(connection)}"
        for f in audit_fields
    }
    audit_values["entity_id"] = f"new_signal.{signal_pk}::text"
    audit_columns = _insertable(AuditEvent)
    sql = (
        f"WITH new_signal AS ("
        f"INSERT INTO {qn(Signal._meta.db_table)} ({', '.join(qn(f.column) for f in signal_fields)}) "
        f"VALUES ({', '.join('%s' for _ in signal_fields)}) ON CONFLICT DO NOTHING RETURNING {signal_pk}), "
        f"new_audit AS ("
        f"INSERT INTO {qn(AuditEvent._meta.db_table)} ({', '.join(qn(f.column) for f in audit_columns)}) "
        f"SELECT {', '.join(audit_values[f.attname] for f in audit_columns)} FROM new_signal RETURNING {audit_pk}) "
        f"SELECT new_signal.{signal_pk}, new_audit.{audit_pk} FROM new_signal, new_audit"
    )
    return sql, signal_fields, audit_fields


def _insertable(model: type[Model]) -> list[Field]:
    meta = model._meta
    return [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]


def _values(obj: Model, fields: list[Field], db: BaseDatabaseWrapper) -> list[object]:
    """What the ORM's INSERT would send: defaults and auto_now applied, values prepared."""
    return [field.get_db_prep_save(field.pre_save(obj, add=True), db) for field in fields]


def _mark_saved(obj: Model, pk: object) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias


def _orm_insert(signal: Signal, event: AuditEvent) -> bool:
    try:
        with transaction.atomic():
            signal.save(force_insert=True)
            event.entity_id = str(signal.pk)
            event.save(force_insert=True)
    except IntegrityError:
        if signal.idempotency_key is None:
            raise
        signal.pk = None
        return False
    return True
