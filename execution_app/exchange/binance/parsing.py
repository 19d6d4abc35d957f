"""Binance's JSON (orders, algo orders, trades, positions) read into our types, Decimal only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from execution_app.exchange.base import ExchangeFill, ExchangeOrder
from execution_app.models import OrderStatus

STATUS: dict[str, str] = {
    "NEW": OrderStatus.OPEN,
    "PENDING_NEW": OrderStatus.OPEN,
    "PARTIALLY_FILLED": OrderStatus.PARTIALLY_FILLED,
    "FILLED": OrderStatus.FILLED,
    "CANCELED": OrderStatus.CANCELED,
    "PENDING_CANCEL": OrderStatus.OPEN,
    "REJECTED": OrderStatus.REJECTED,
    "EXPIRED": OrderStatus.EXPIRED,
    "EXPIRED_IN_MATCH": OrderStatus.EXPIRED,
}
ALGO_STATUS: dict[str, str] = {
    "NEW": OrderStatus.OPEN,
    "CANCELED": OrderStatus.CANCELED,
    "EXPIRED": OrderStatus.EXPIRED,
    "REJECTED": OrderStatus.REJECTED,
}
ALGO_ID_PREFIX = "algo-"


def dec(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def _optional_price(value: Any) -> Decimal | None:
    price = dec(value)
    return price if price else None


def spot_fill(raw: dict[str, Any]) -> ExchangeFill:
    """One element of a FULL response's ``fills`` or of GET /api/v3/myTrades."""
    return ExchangeFill(
        trade_id=str(raw.get("tradeId", raw.get("id"))),
        price=dec(raw["price"]),
        quantity=dec(raw["qty"]),
        commission=dec(raw["commission"]),
        commission_asset=raw["commissionAsset"],
        is_maker=bool(raw.get("isMaker", False)),
    )


def futures_fill(raw: dict[str, Any]) -> ExchangeFill:
    """One element of GET /fapi/v1/userTrades."""
    return ExchangeFill(
        trade_id=str(raw["id"]),
        price=dec(raw["price"]),
        quantity=dec(raw["qty"]),
        commission=dec(raw["commission"]),
        commission_asset=raw["commissionAsset"],
        is_maker=bool(raw.get("maker", False)),
    )


def spot_order(raw: dict[str, Any], fills: tuple[ExchangeFill, ...] = ()) -> ExchangeOrder:
    executed = dec(raw.get("executedQty"))
    quote = dec(raw.get("cummulativeQuoteQty"))
    own_fills = tuple(spot_fill(f) for f in raw.get("fills", ()))
    return ExchangeOrder(
        client_order_id=raw.get("clientOrderId") or raw.get("origClientOrderId", ""),
        exchange_order_id=str(raw["orderId"]),
        status=STATUS[raw.get("status", "NEW")],
        executed_quantity=executed,
        average_price=(quote / executed) if executed and quote else None,
        fills=fills or own_fills,
        symbol=raw.get("symbol", ""),
        side=raw.get("side", ""),
        order_type=raw.get("type", ""),
        quantity=dec(raw["origQty"]) if "origQty" in raw else None,
        price=_optional_price(raw.get("price")),
        stop_price=_optional_price(raw.get("stopPrice")),
        is_working=bool(raw.get("isWorking", True)),
    )


def spot_cancel_client_id(raw: dict[str, Any]) -> str:
    # A cancel response's clientOrderId is the cancel request's own id; ours is origClientOrderId.
    return raw.get("origClientOrderId") or raw.get("clientOrderId", "")


def futures_order(raw: dict[str, Any], fills: tuple[ExchangeFill, ...] = ()) -> ExchangeOrder:
    executed = dec(raw.get("executedQty"))
    average = dec(raw.get("avgPrice"))
    return ExchangeOrder(
        client_order_id=raw.get("clientOrderId", ""),
        exchange_order_id=str(raw["orderId"]),
        status=STATUS[raw.get("status", "NEW")],
        executed_quantity=executed,
        average_price=average if executed and average else None,
        fills=fills,
        symbol=raw.get("symbol", ""),
        side=raw.get("side", ""),
        order_type=raw.get("origType") or raw.get("type", ""),
        quantity=dec(raw["origQty"]) if "origQty" in raw else None,
        price=_optional_price(raw.get("price")),
        stop_price=_optional_price(raw.get("stopPrice")),
    )


def algo_order(raw: dict[str, Any]) -> ExchangeOrder:
    """A conditional order still waiting (or finished without an order of its own)."""
    return ExchangeOrder(
        client_order_id=raw.get("clientAlgoId", ""),
        exchange_order_id=f"{ALGO_ID_PREFIX}{raw['algoId']}",
        status=ALGO_STATUS.get(raw.get("algoStatus", "NEW"), OrderStatus.OPEN),
        executed_quantity=Decimal(0),
        average_price=None,
        symbol=raw.get("symbol", ""),
        side=raw.get("side", ""),
        order_type=raw.get("orderType") or raw.get("type", ""),
        quantity=dec(raw.get("quantity")) or None,
        price=_optional_price(raw.get("price")),
        stop_price=_optional_price(raw.get("triggerPrice")),
        is_working=False,
    )


@dataclass(frozen=True)
class ExchangePosition:
    """One position as the exchange holds it; ``quantity`` is never negative."""

    symbol: str
    side: str  # LONG / SHORT
    quantity: Decimal
    entry_price: Decimal
    position_side: str  # Binance's: BOTH in one-way mode, else LONG/SHORT


def futures_position(raw: dict[str, Any]) -> ExchangePosition | None:
    amount = dec(raw.get("positionAmt"))
    if not amount:
        return None
    position_side = raw.get("positionSide", "BOTH")
    side = position_side if position_side in ("LONG", "SHORT") else ("LONG" if amount > 0 else "SHORT")
    return ExchangePosition(
        symbol=raw["symbol"],
        side=side,
        quantity=abs(amount),
        entry_price=dec(raw.get("entryPrice")),
        position_side=position_side,
    )


@dataclass(frozen=True)
class SymbolSettings:
    leverage: int
    margin_type: str  # ISOLATED / CROSSED, the names /fapi/v1/marginType takes


def symbol_settings(raw: dict[str, Any]) -> SymbolSettings:
    """From a /fapi/v2/positionRisk row ("isolated"/"cross") or a /fapi/v2/account position."""
    if "marginType" in raw:
        isolated = str(raw["marginType"]).lower() == "isolated"
    else:
        isolated = bool(raw.get("isolated", False))
    return SymbolSettings(leverage=int(raw.get("leverage", 0) or 0), margin_type="ISOLATED" if isolated else "CROSSED")
