"""The audit table refuses UPDATE and DELETE at the database level, whoever asks."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from petrosa.core.audit import audit_record
from petrosa.core.models import AuditEvent


@pytest.fixture
def event(db: object) -> AuditEvent:
    return audit_record(kind="test.event", entity_type="test", entity_id=1, actor="system", data={"x": "1.10"})


def test_orm_update_is_refused(event: AuditEvent) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(actor="mallory")
    event.refresh_from_db()
    assert event.actor == "system"


def test_orm_delete_is_refused(event: AuditEvent) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_raw_sql_update_and_delete_are_refused(event: AuditEvent) -> None:
    for statement in ("UPDATE core_auditevent SET data = '{}' WHERE id = %s", "DELETE FROM core_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])
    event.refresh_from_db()
    assert event.data == {"x": "1.10"}


def test_inserting_still_works_and_keeps_decimals_exact(event: AuditEvent) -> None:
    from decimal import Decimal

    second = audit_record(kind="test.event", entity_type="test", entity_id=2, actor="system",
                          data={"price": Decimal("0.000012345678901234")})  # fmt: skip
    assert AuditEvent.objects.count() == 2
    assert AuditEvent.objects.get(pk=second.pk).data == {"price": "0.000012345678901234"}
