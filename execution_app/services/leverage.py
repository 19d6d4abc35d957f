"""Leverage and margin type per futures symbol: configured vs actual, set before a trade.

The configured values are the trading config's ``leverage`` and
``margin_type`` for the symbol. Before an entry (``leverage_before_trade``,
a hook of the futures adapter) the exchange is made to apply them, unless we
already know it does. When the exchange refuses (a position or open orders
block a margin-type change, -4047/-4048; leverage reduction with an isolated
position, -4161; an invalid leverage, -4028; not enough margin, -2019) the
refusal is recorded, trading goes on at the actual setting, and the change
is tried again before a later trade, at most every LEVERAGE_RETRY_SECONDS.
An operator can force a sync at once (admin action, or
POST /api/v1/config/leverage/<symbol>/sync). Every change is audited.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone

from configs_app.services import config_resolve
from execution_app.exchange.base import ExchangeOutcomeUnknown, ExchangeRejected, OrderRequest
from execution_app.exchange.binance.parsing import SymbolSettings
from execution_app.models_binance import SymbolLeverage
from petrosa.core.audit import audit_record
from petrosa.core.errors import InvalidInput

logger = logging.getLogger(__name__)

MARGIN_TYPES = {"isolated": "ISOLATED", "cross": "CROSSED", "crossed": "CROSSED"}
LEVERAGE_RETRY_SECONDS = 60


class LeverageExchange(Protocol):
    name: str

    def set_leverage(self, *, symbol: str, leverage: int) -> int: ...

    def set_margin_type(self, *, symbol: str, margin_type: str) -> None: ...

    def symbol_settings(self, *, symbol: str) -> SymbolSettings | None: ...


@dataclass(frozen=True)
class Wanted:
    leverage: int
    margin_type: str


def leverage_configured(*, symbol: str) -> Wanted:
    config = config_resolve(symbol=symbol)
    margin = str(config.get("margin_type", "isolated")).lower()
    return Wanted(leverage=int(config.get("leverage", 10)), margin_type=MARGIN_TYPES.get(margin, "ISOLATED"))


def leverage_before_trade(exchange: LeverageExchange, request: OrderRequest) -> None:
    """Adapter hook: entries get the configured leverage first; closes never touch it."""
    if request.reduce_only or request.close_position:
        return
    leverage_ensure(exchange=exchange, symbol=request.symbol)


def leverage_ensure(*, exchange: LeverageExchange, symbol: str, actor: str = "system") -> SymbolLeverage:
    """Make the exchange apply the configured leverage and margin type for ``symbol``.

    No exchange call when we already know it does. Never raises for a refusal:
    the row records it, and the trade goes on at the actual setting.
    """
    wanted = leverage_configured(symbol=symbol)
    row = SymbolLeverage.objects.filter(symbol=symbol).first()
    if (
        row is not None
        and row.configured_leverage == wanted.leverage
        and row.configured_margin_type == wanted.margin_type
    ):
        if row.in_sync:
            return row
        if row.last_sync_at and timezone.now() - row.last_sync_at < timedelta(seconds=LEVERAGE_RETRY_SECONDS):
            return row  # refused a moment ago; don't hammer the exchange before every trade
    return _sync(exchange=exchange, symbol=symbol, wanted=wanted, actor=actor, force_reason="")


def leverage_force(*, exchange: LeverageExchange, symbol: str, actor: str, reason: str) -> SymbolLeverage:
    """An operator's sync: apply the configured values now, whatever we believe the exchange has."""
    if not reason.strip():
        raise InvalidInput("A reason is required.", fields={"reason": ["This field is required."]})
    wanted = leverage_configured(symbol=symbol)
    return _sync(exchange=exchange, symbol=symbol, wanted=wanted, actor=actor, force_reason=reason)


def _sync(*, exchange: LeverageExchange, symbol: str, wanted: Wanted, actor: str, force_reason: str) -> SymbolLeverage:
    # The exchange calls happen before, and outside, the transaction that records them.
    errors: list[tuple[int, str]] = []
    actual_margin: str | None = None
    actual_leverage: int | None = None
    try:
        exchange.set_margin_type(symbol=symbol, margin_type=wanted.margin_type)
        actual_margin = wanted.margin_type
    except (ExchangeRejected, ExchangeOutcomeUnknown) as exc:
        errors.append(_error(exc))
    try:
        actual_leverage = exchange.set_leverage(symbol=symbol, leverage=wanted.leverage)
    except (ExchangeRejected, ExchangeOutcomeUnknown) as exc:
        errors.append(_error(exc))
    if actual_margin is None or actual_leverage is None:
        try:
            current = exchange.symbol_settings(symbol=symbol)
        except (ExchangeRejected, ExchangeOutcomeUnknown) as exc:
            logger.warning("could not read %s settings: %s", symbol, exc)
            current = None
        if current is not None:
            actual_margin = actual_margin or current.margin_type
            actual_leverage = actual_leverage or current.leverage
    return _record(
        symbol=symbol, wanted=wanted, actual_leverage=actual_leverage, actual_margin=actual_margin,
        errors=errors, actor=actor, force_reason=force_reason, exchange_name=exchange.name,
    )  # fmt: skip


def _error(exc: ExchangeRejected | ExchangeOutcomeUnknown) -> tuple[int, str]:
    if isinstance(exc, ExchangeRejected):
        return exc.code, f"{exc.reason}: {exc.message}"[:255]
    return 0, f"outcome_unknown: {exc}"[:255]


@transaction.atomic
def _record(
    *,
    symbol: str,
    wanted: Wanted,
    actual_leverage: int | None,
    actual_margin: str | None,
    errors: list[tuple[int, str]],
    actor: str,
    force_reason: str,
    exchange_name: str,
) -> SymbolLeverage:
    row, _ = SymbolLeverage.objects.select_for_update().get_or_create(symbol=symbol)
    before = _state(row)
    row.configured_leverage = wanted.leverage
    row.configured_margin_type = wanted.margin_type
    if actual_leverage is not None:
        row.actual_leverage = actual_leverage
    if actual_margin is not None:
        row.actual_margin_type = actual_margin
    row.in_sync = row.actual_leverage == wanted.leverage and row.actual_margin_type == wanted.margin_type
    row.last_sync_at = timezone.now()
    row.last_error_code = errors[0][0] if errors else None
    row.last_error = "; ".join(message for _, message in errors)[:255]
    if force_reason:
        row.forced_by, row.forced_at, row.force_reason = actor, row.last_sync_at, force_reason[:500]
    row.save()
    after = _state(row)
    if after != before or force_reason:
        audit_record(
            kind="leverage.forced" if force_reason else ("leverage.synced" if row.in_sync else "leverage.refused"),
            entity_type="symbol_leverage",
            entity_id=symbol,
            actor=actor,
            data={"before": before, "after": after, "exchange": exchange_name, "reason": force_reason},
        )
    if errors:
        logger.warning("%s leverage/margin not applied, trading on at %sx %s: %s", symbol, row.actual_leverage,
                       row.actual_margin_type, row.last_error)  # fmt: skip
    return row


def _state(row: SymbolLeverage) -> dict[str, Any]:
    return {
        "configured_leverage": row.configured_leverage,
        "configured_margin_type": row.configured_margin_type,
        "actual_leverage": row.actual_leverage,
        "actual_margin_type": row.actual_margin_type,
        "in_sync": row.in_sync,
        "last_error_code": row.last_error_code,
        "last_error": row.last_error,
    }


def leverage_status_data(row: SymbolLeverage) -> dict[str, Any]:
    return {
        "symbol": row.symbol,
        **_state(row),
        "last_sync_at": row.last_sync_at.isoformat() if row.last_sync_at else None,
        "forced_by": row.forced_by,
        "forced_at": row.forced_at.isoformat() if row.forced_at else None,
    }
