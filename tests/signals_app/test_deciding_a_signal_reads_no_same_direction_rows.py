"""Aggregation reads the symbol's same-direction active signals as one count and
one strength sum, never row by row: deciding a signal costs the same with 3 or
3,000 of them. The decisions are those the row-by-row reading gave."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.db.models.signals import post_init

from configs_app.services import config_set_global
from petrosa.core.models import AuditEvent
from signals_app.models import Signal, SignalStatus
from signals_app.services.aggregation import LISTED_IDS, signal_aggregate
from tests.factories import SignalFactory, StrategyWithKey

pytestmark = pytest.mark.django_db(transaction=True)


def policy(**parameters: object) -> None:
    config_set_global(parameters=parameters, changed_by="test", reason="test")


def active_buys(strategy: StrategyWithKey, count: int, strength: str = "0.5") -> list[Signal]:
    batch = SignalFactory.build_batch(count, strategy=strategy.strategy, status=SignalStatus.ORDERED,
                                      strength_score=Decimal(strength))  # fmt: skip
    return Signal.objects.bulk_create(batch)


@pytest.fixture
def loaded() -> Iterator[list[int]]:
    """How many Signal rows become model instances while it is active."""
    count = [0]

    def counted(sender: type, **kwargs: object) -> None:
        count[0] += 1

    post_init.connect(counted, sender=Signal)
    yield count
    post_init.disconnect(counted, sender=Signal)


def test_thousands_of_same_direction_signals_are_not_loaded(strategy: StrategyWithKey, loaded: list[int]) -> None:
    active_buys(strategy, 3000)
    new = SignalFactory(strategy=strategy.strategy)
    loaded[0] = 0

    decided = signal_aggregate(signal_id=new.pk)

    assert (decided.status, decided.status_reason) == (SignalStatus.ACCEPTED, "no_conflict")
    assert loaded[0] <= 3, f"{loaded[0]} Signal rows loaded to decide one signal"


def test_the_accumulation_cap_counts_all_and_lists_the_oldest(strategy: StrategyWithKey) -> None:
    policy(signal_conflict_resolution="accumulate", max_accumulations=5)
    existing = active_buys(strategy, 250)
    new = SignalFactory(strategy=strategy.strategy)

    decided = signal_aggregate(signal_id=new.pk)

    assert (decided.status, decided.status_reason) == (SignalStatus.REJECTED, "accumulation_cap")
    data = AuditEvent.objects.get(kind="signal.rejected", entity_id=str(new.pk)).data
    assert data["active_same_direction_count"] == 250
    assert data["active_same_direction"] == sorted(s.pk for s in existing)[:LISTED_IDS]


def test_weighted_average_counts_same_direction_strength_in_the_vote(
    strategy: StrategyWithKey, other_strategy: StrategyWithKey
) -> None:
    """Two active buys (0.5 each) and one active sell (0.9); a new sell of 0.8.
    vote = 0.5 + 0.5 - 0.9 - 0.8 = -0.7 over 2.7 = -0.259: inside ±0.3, a hold.
    Without the two buys it would be -1.7 / 1.7 = -1: a sell."""
    policy(signal_conflict_resolution="weighted_average")
    buys = active_buys(strategy, 2)
    SignalFactory(strategy=other_strategy.strategy, action="sell", status=SignalStatus.ORDERED,
                  strength_score=Decimal("0.9"))  # fmt: skip
    new = SignalFactory(strategy=other_strategy.strategy, action="sell", confidence=Decimal("0.8"))

    decided = signal_aggregate(signal_id=new.pk)

    assert (decided.status, decided.status_reason) == (SignalStatus.HELD, "weighted_average_hold")
    data = AuditEvent.objects.get(kind="signal.held", entity_id=str(new.pk)).data
    assert data["weighted_value"] == "-0.259259"
    assert data["voter_count"] == 4
    assert set(data["voters"]) >= {b.pk for b in buys} | {new.pk}
