"""Creating and configuring built-in strategies (admin, seed_demo)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction

from petrosa.core.audit import audit_record
from petrosa.core.errors import InvalidInput, NotFound
from signals_app.engine.base import parameters_as_json
from signals_app.engine.models import BuiltinStrategy, BuiltinStrategyState
from signals_app.engine.registry import StrategyRegistry, UnknownStrategyKind, shipped_registry
from signals_app.models import Strategy
from signals_app.serializers import SYMBOL_PATTERN
from signals_app.services.modes import TIMEFRAMES
from signals_app.services.strategies import strategy_create
from signals_app.services.strategy_admin import strategy_activate


@transaction.atomic
def builtin_strategy_create(
    *,
    name: str,
    kind: str,
    symbols: list[str],
    actor: str,
    parameters: Mapping[str, Any] | None = None,
    timeframe: str = "1m",
    description: str = "",
    weight: Decimal | None = None,
    registry: StrategyRegistry | None = None,
) -> BuiltinStrategy:
    """A Strategy row (its own name, weight, active flag; its key is never
    shown: it sends through intake directly) plus the built-in config."""
    clean = builtin_config_check(kind=kind, symbols=symbols, parameters=parameters or {}, timeframe=timeframe,
                       registry=registry)  # fmt: skip
    label = (registry or shipped_registry()).get(kind).label
    strategy, _ = strategy_create(name=name, description=description or f"Built-in: {label}", actor=actor)
    if weight is not None:
        Strategy.objects.filter(pk=strategy.pk).update(weight=weight)
        strategy.weight = weight
    builtin = BuiltinStrategy.objects.create(strategy=strategy, kind=kind, **clean)
    audit_record(
        kind="builtin_strategy.created",
        entity_type="strategy",
        entity_id=strategy.pk,
        actor=actor,
        data={"name": name, "kind": kind, **clean, "weight": strategy.weight},
    )
    return builtin


@transaction.atomic
def builtin_strategy_configure(
    *,
    builtin_id: int,
    symbols: list[str],
    parameters: Mapping[str, Any],
    timeframe: str,
    actor: str,
    reason: str = "",
    registry: StrategyRegistry | None = None,
) -> BuiltinStrategy:
    """Change what a built-in strategy trades and how; the next tick uses it.
    Audited with the values before and after."""
    builtin = BuiltinStrategy.objects.select_for_update().select_related("strategy").filter(pk=builtin_id).first()
    if builtin is None:
        raise NotFound(f"No built-in strategy #{builtin_id}.")
    clean = builtin_config_check(kind=builtin.kind, symbols=symbols, parameters=parameters, timeframe=timeframe,
                       registry=registry)  # fmt: skip
    before = {"symbols": builtin.symbols, "parameters": builtin.parameters, "timeframe": builtin.timeframe}
    if before == clean:
        return builtin
    BuiltinStrategy.objects.filter(pk=builtin.pk).update(**clean)
    builtin.refresh_from_db()
    audit_record(
        kind="builtin_strategy.configured",
        entity_type="strategy",
        entity_id=builtin.strategy_id,
        actor=actor,
        data={"name": builtin.strategy.name, "reason": reason, "before": before, "after": clean},
    )
    return builtin


def builtin_config_check(
    *, kind: str, symbols: list[str], parameters: Mapping[str, Any], timeframe: str, registry: StrategyRegistry | None
) -> dict[str, Any]:
    """The config as stored (sorted upper-case symbols, JSON parameters), or
    InvalidInput with an error per field (symbols, timeframe, parameters)."""
    errors: dict[str, list[str]] = {}
    try:
        strategy_kind = (registry or shipped_registry()).get(kind)
    except UnknownStrategyKind:
        raise InvalidInput(f"Unknown strategy kind {kind!r}.", fields={"kind": ["Unknown strategy kind."]}) from None
    clean_symbols = sorted({symbol.strip().upper() for symbol in symbols if symbol.strip()})
    if not clean_symbols:
        errors["symbols"] = ["Name at least one symbol."]
    elif bad := [s for s in clean_symbols if not SYMBOL_PATTERN.match(s)]:
        errors["symbols"] = [f"Not a symbol: {', '.join(bad)}."]
    if timeframe not in TIMEFRAMES:
        errors["timeframe"] = [f"One of {', '.join(TIMEFRAMES)}."]
    clean_parameters: dict[str, Any] = {}
    try:
        clean_parameters = parameters_as_json(strategy_kind.clean_parameters(parameters))
    except ValueError as exc:
        errors["parameters"] = [str(exc)]
    if errors:
        first = next(iter(errors.items()))
        raise InvalidInput(f"{first[0]}: {first[1][0]}", fields=errors)
    return {"symbols": clean_symbols, "parameters": clean_parameters, "timeframe": timeframe}


@transaction.atomic
def builtin_strategy_reset_state(*, builtin_id: int, actor: str, reason: str) -> int:
    """Forget what the strategy saw (price windows, last crossover): it warms
    up again from the next tick. Returns the number of symbols reset."""
    deleted, _ = BuiltinStrategyState.objects.filter(builtin_id=builtin_id).delete()
    strategy_id = BuiltinStrategy.objects.filter(pk=builtin_id).values_list("strategy_id", flat=True).first()
    audit_record(
        kind="builtin_strategy.state_reset",
        entity_type="strategy",
        entity_id=strategy_id,
        actor=actor,
        data={"reason": reason, "symbols_reset": deleted},
    )
    return deleted


@transaction.atomic
def builtin_strategy_ensure(
    *, name: str, kind: str, symbols: list[str], parameters: Mapping[str, Any], timeframe: str, actor: str
) -> BuiltinStrategy:
    """Make a built-in strategy exist, configured as given, with a fresh state,
    and active (seed_demo's demo strategies)."""
    builtin = BuiltinStrategy.objects.select_related("strategy").filter(strategy__name=name).first()
    if builtin is None:
        return builtin_strategy_create(
            name=name, kind=kind, symbols=symbols, parameters=parameters, timeframe=timeframe, actor=actor
        )
    builtin = builtin_strategy_configure(
        builtin_id=builtin.pk, symbols=symbols, parameters=parameters, timeframe=timeframe, actor=actor,
        reason="seed_demo",
    )  # fmt: skip
    builtin_strategy_reset_state(builtin_id=builtin.pk, actor=actor, reason="seed_demo reset the paper prices")
    if not builtin.strategy.is_active:
        strategy_activate(name=name, reason="seed_demo with PETROSA_DEMO on", actor=actor)
        builtin.strategy.refresh_from_db()
    return builtin
