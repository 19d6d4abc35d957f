"""Two operators deactivating the same strategy at once: the row lock lets one
win; the other gets already_inactive, and the audit trail has one entry."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from petrosa.core.errors import Conflict
from petrosa.core.models import AuditEvent
from signals_app.models import Strategy
from signals_app.services.strategy_admin import strategy_deactivate
from tests.factories import make_strategy


@pytest.mark.django_db(transaction=True)
def test_concurrent_deactivations_change_and_audit_once() -> None:
    make_strategy("momentum_v1")
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def deactivate(operator: str) -> None:
        try:
            start.wait()
            strategy_deactivate(name="momentum_v1", reason=f"{operator} saw a drawdown", actor=f"user:{operator}")
            outcomes.append("changed")
        except Conflict as refused:
            outcomes.append(refused.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deactivate, args=(f"op{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["already_inactive"] * 3 + ["changed"]
    assert Strategy.objects.get(name="momentum_v1").is_active is False
    events: Any = AuditEvent.objects.filter(kind="strategy.deactivated")
    assert events.count() == 1
