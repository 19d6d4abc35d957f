"""Reads for the strategy list: a built-in strategy's config and state."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, QuerySet

from signals_app.engine.models import BuiltinStrategy, BuiltinStrategyState
from signals_app.engine.registry import UnknownStrategyKind, shipped_registry
from signals_app.models import Strategy


def strategies_with_builtin(queryset: QuerySet[Strategy]) -> QuerySet[Strategy]:
    """The built-in config joined in the same query; the states in one more,
    and only when some strategy on the page is built in."""
    states = BuiltinStrategyState.objects.order_by("symbol")
    return queryset.select_related("builtin").prefetch_related(Prefetch("builtin__states", queryset=states))


def strategy_builtin(strategy: Strategy) -> BuiltinStrategy | None:
    try:
        return strategy.builtin
    except ObjectDoesNotExist:
        return None


def builtin_summary(builtin: BuiltinStrategy) -> dict[str, Any]:
    try:
        label = shipped_registry().get(builtin.kind).label
    except UnknownStrategyKind:
        label = builtin.kind
    return {
        "type": builtin.kind,
        "label": label,
        "symbols": builtin.symbols,
        "timeframe": builtin.timeframe,
        "parameters": builtin.parameters,
        "state": [
            {
                "symbol": state.symbol,
                "last_tick_at": state.last_event_at,
                "indicators": state.indicators,
                "last_signal_action": state.last_signal_action or None,
                "last_signal_at": state.last_signal_at,
                "last_signal_id": state.last_signal_id,
            }
            for state in builtin.states.all()
        ],
    }
