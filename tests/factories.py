"""Test data built through the same services production uses."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import factory
from django.utils import timezone

from signals_app.models import Signal, Strategy
from signals_app.services.strategies import strategy_create


@dataclass(frozen=True)
class StrategyWithKey:
    strategy: Strategy
    key: str

    @property
    def name(self) -> str:
        return self.strategy.name


def make_strategy(name: str, *, weight: Decimal = Decimal("1")) -> StrategyWithKey:
    strategy, key = strategy_create(name=name, actor="test")
    if weight != 1:
        Strategy.objects.filter(pk=strategy.pk).update(weight=weight)
        strategy.refresh_from_db()
    return StrategyWithKey(strategy=strategy, key=key)


class SignalFactory(factory.django.DjangoModelFactory):
    """A saved signal that skipped intake: for tests of later stages."""

    class Meta:
        model = Signal

    symbol = "BTCUSDT"
    action = "buy"
    confidence = Decimal("0.8")
    signal_timestamp = factory.LazyFunction(timezone.now)
    correlation_id = factory.Sequence(lambda n: f"corr-{n}")


def signal_payload(**overrides: object) -> dict[str, object]:
    payload: dict[str, object] = {"symbol": "BTCUSDT", "action": "buy", "confidence": 0.8}
    payload.update(overrides)
    return payload
