"""The audit trail's hash chain: verify_audit names every event that was edited,
deleted or slipped in behind the sealer, even by someone who can switch the
append-only trigger off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from petrosa.core.audit import audit_record
from petrosa.core.audit_chain import audit_seal, audit_verify
from petrosa.core.models import AuditEvent, AuditSeal

pytestmark = pytest.mark.django_db


def _events(count: int) -> list[AuditEvent]:
    return [audit_record(kind="test.step", entity_type="test", entity_id=i, actor="tester", data={"n": i, "p": "1.10"})
            for i in range(count)]  # fmt: skip


def _as_table_owner(sql: str, params: list[object]) -> None:
    """What an attacker with ownership of the tables could do."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER USER")


def test_sealing_chains_every_event_in_order_and_verifies() -> None:
    events = _events(5)
    assert audit_seal() == 5
    assert audit_seal() == 0  # nothing new: sealing is idempotent
    seals = list(AuditSeal.objects.order_by("seq"))
    assert [seal.event_id for seal in seals] == [event.pk for event in events]
    assert seals[0].prev_hash == "0" * 64
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(seals, seals[1:]))
    result = audit_verify()
    assert (result.intact, result.sealed, result.problems) == (True, 5, [])


def test_an_edited_event_is_named_by_id() -> None:
    events = _events(4)
    audit_seal()
    _as_table_owner("UPDATE core_auditevent SET data = %s WHERE id = %s", ['{"n": 99}', events[2].pk])
    result = audit_verify()
    assert result.problems == [f"event {events[2].pk}: content differs from its seal (tampered)"]
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("verify_audit")


def test_a_deleted_event_is_named_by_id() -> None:
    events = _events(3)
    audit_seal()
    _as_table_owner("DELETE FROM core_auditevent WHERE id = %s", [events[1].pk])
    assert audit_verify().problems == [f"event {events[1].pk}: sealed but missing (deleted)"]


def test_an_event_slipped_in_behind_the_sealer_is_reported() -> None:
    _events(2)
    audit_seal()
    forged = AuditEvent.objects.create(kind="order.filled", entity_type="order", entity_id="1", actor="attacker")
    _as_table_owner("UPDATE core_auditevent SET created_at = %s WHERE id = %s",
                    [timezone.now() - timedelta(hours=1), forged.pk])  # fmt: skip
    assert audit_verify().problems == [
        f"event {forged.pk}: not sealed (inserted behind the sealer, or the sealer is down)"
    ]


def test_seals_are_append_only() -> None:
    _events(1)
    audit_seal()
    with pytest.raises(Exception, match="append-only"):
        AuditSeal.objects.update(hash="f" * 64)


def test_verify_audit_command_reports_an_intact_trail(capsys: pytest.CaptureFixture[str]) -> None:
    _events(3)
    call_command("verify_audit", "--seal")
    assert "audit trail intact: 3 events sealed, 0 awaiting the sealer" in capsys.readouterr().out
