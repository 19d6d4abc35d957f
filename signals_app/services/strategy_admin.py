"""Operators' changes to a strategy: activate, deactivate, reweight.

Each change locks the strategy row, refuses a change that changes nothing
(409, so a mistaken double click is visible), and writes its audit row with
the operator's reason in the same transaction. A deactivated strategy's key
is refused from the next request on: authentication reads ``is_active``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from petrosa.core.audit import audit_record
from petrosa.core.errors import Conflict, InvalidInput, NotFound
from petrosa.core.models import AuditEvent
from petrosa.core.money import decimal_str
from signals_app.models import Strategy

MIN_WEIGHT_EXCLUSIVE = Decimal("0")
MAX_WEIGHT = Decimal("10")


@dataclass(frozen=True)
class StrategyChange:
    strategy: Strategy
    audit_event: AuditEvent


def strategy_activate(*, name: str, reason: str, actor: str) -> StrategyChange:
    return _strategy_set_active(name=name, active=True, reason=reason, actor=actor)


def strategy_deactivate(*, name: str, reason: str, actor: str) -> StrategyChange:
    return _strategy_set_active(name=name, active=False, reason=reason, actor=actor)


@transaction.atomic
def strategy_set_weight(*, name: str, weight: Decimal, reason: str, actor: str) -> StrategyChange:
    """Set the strategy's weight (seed 000's strategy_weights): 0 < weight <= 10."""
    if not (weight.is_finite() and MIN_WEIGHT_EXCLUSIVE < weight <= MAX_WEIGHT):
        raise InvalidInput(
            f"weight must be greater than 0 and at most {MAX_WEIGHT}.",
            fields={"weight": [f"Greater than 0 and at most {MAX_WEIGHT}."]},
        )
    strategy = _strategy_locked(name)
    before = strategy.weight
    if before == weight:
        raise Conflict(f"Strategy {name!r} already has weight {weight}.", code="weight_unchanged")
    Strategy.objects.filter(pk=strategy.pk).update(weight=weight)
    strategy.refresh_from_db(fields=["weight"])
    event = audit_record(
        kind="strategy.weight_changed",
        entity_type="strategy",
        entity_id=strategy.pk,
        actor=actor,
        data={"name": name, "reason": reason, "before": decimal_str(before), "after": decimal_str(strategy.weight)},
    )
    return StrategyChange(strategy=strategy, audit_event=event)


@transaction.atomic
def _strategy_set_active(*, name: str, active: bool, reason: str, actor: str) -> StrategyChange:
    strategy = _strategy_locked(name)
    if strategy.is_active == active:
        state = "active" if active else "inactive"
        raise Conflict(f"Strategy {name!r} is already {state}.", code=f"already_{state}")
    Strategy.objects.filter(pk=strategy.pk).update(is_active=active)
    strategy.is_active = active
    event = audit_record(
        kind="strategy.activated" if active else "strategy.deactivated",
        entity_type="strategy",
        entity_id=strategy.pk,
        actor=actor,
        data={"name": name, "reason": reason, "before": not active, "after": active},
    )
    return StrategyChange(strategy=strategy, audit_event=event)


def _strategy_locked(name: str) -> Strategy:
    strategy = Strategy.objects.select_for_update().filter(name=name).first()
    if strategy is None:
        raise NotFound(f"No strategy named {name!r}.")
    return strategy
