"""Running the built-in strategies on a market tick.

For each (built-in strategy, symbol) the tick carries, in one transaction:
lock the state row, skip the tick if this or a later one was already
processed (a redelivered or overtaken task), take one pure step, save the new
state, and send the step's signals through signal_intake. State and signals
commit together, so a worker killed mid-tick leaves neither, and the
redelivered tick does the work once.

An inactive strategy keeps its state warm (it still sees prices) but sends
nothing: activation and deactivation take effect on the next tick, because
each tick re-reads the Strategy row.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from django.db import transaction

from petrosa.core.market import MarketTick
from signals_app.engine.base import MarketEvent, Outcome, SignalIntent, StrategyKind
from signals_app.engine.models import BuiltinStrategy, BuiltinStrategyState
from signals_app.engine.registry import StrategyRegistry, UnknownStrategyKind, shipped_registry
from signals_app.models import Signal, Source
from signals_app.serializers import SignalInputSerializer
from signals_app.services.intake import signal_intake

logger = logging.getLogger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def strategies_on_tick(*, tick: MarketTick, registry: StrategyRegistry | None = None) -> list[Signal]:
    """Every built-in strategy's step for every symbol of the tick it trades.
    Returns the signals sent (new ones only)."""
    registry = registry or shipped_registry()
    sent: list[Signal] = []
    for builtin in BuiltinStrategy.objects.select_related("strategy").order_by("id"):
        try:
            kind = registry.get(builtin.kind)
            params = kind.clean_parameters(builtin.parameters)
        except (UnknownStrategyKind, ValueError) as exc:
            logger.error("built-in strategy %s cannot run: %s", builtin.strategy.name, exc)
            continue
        for symbol in kind.required_symbols(builtin.symbols):
            price = tick.prices.get(symbol)
            if price is None:
                continue
            event = MarketEvent(symbol=symbol, price=price, at=tick.at)
            sent.extend(_step(builtin_id=builtin.pk, kind=kind, params=params, event=event))
    return sent


@transaction.atomic
def _step(*, builtin_id: int, kind: StrategyKind, params: Mapping[str, Any], event: MarketEvent) -> list[Signal]:
    BuiltinStrategyState.objects.get_or_create(builtin_id=builtin_id, symbol=event.symbol)
    state = (
        BuiltinStrategyState.objects.select_for_update(of=("self",))
        .select_related("builtin__strategy")
        .get(builtin_id=builtin_id, symbol=event.symbol)
    )
    if state.last_event_at is not None and event.at <= state.last_event_at:
        return []  # already processed, or a later tick overtook this one
    outcome = kind.process(event=event, state=state.data, params=params)
    if not isinstance(outcome, Outcome) or not all(isinstance(s, SignalIntent) for s in outcome.signals):
        # A strategy's only output is signal intents; anything else is refused whole.
        raise TypeError(f"{kind.kind} returned {outcome!r}; a strategy step returns an Outcome of SignalIntents")
    strategy = state.builtin.strategy
    sent: list[Signal] = []
    if strategy.is_active:
        for number, intent in enumerate(outcome.signals):
            sent.append(_send(builtin=state.builtin, event=event, intent=intent, number=number))
    state.data = outcome.state
    state.indicators = outcome.indicators
    state.last_event_at = event.at
    if sent:
        state.last_signal_action = sent[-1].action
        state.last_signal_at = event.at
        state.last_signal_id = sent[-1].pk
    state.save()
    return sent


def _send(*, builtin: BuiltinStrategy, event: MarketEvent, intent: SignalIntent, number: int) -> Signal:
    """The same validation and intake as a signal POSTed by an external strategy."""
    payload = {
        "symbol": event.symbol,
        "action": intent.action,
        "confidence": intent.confidence,
        "timeframe": builtin.timeframe,
        "current_price": event.price,
        "indicators": intent.indicators,
        "rationale": intent.rationale,
        "meta": {"builtin": builtin.kind, "tick_at": event.at.isoformat()},
        "timestamp": event.at.isoformat(),
    }
    serializer = SignalInputSerializer(data=payload)
    serializer.is_valid(raise_exception=True)
    # One signal per strategy, symbol and tick: a redelivered tick cannot send twice.
    key = f"builtin:{event.symbol}:{_micros(event)}:{number}"
    result = signal_intake(
        strategy=builtin.strategy, data=dict(serializer.validated_data), idempotency_key=key, source=Source.BUILTIN
    )
    return result.signal


def _micros(event: MarketEvent) -> int:
    """The tick's instant in whole microseconds (integer arithmetic: no float rounding)."""
    return (event.at - EPOCH) // timedelta(microseconds=1)
