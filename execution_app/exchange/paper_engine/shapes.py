"""Binance's JSON shapes for orders, trades, order lists and algo orders.

Spot writes amounts with 8 decimals ("0.00100000"), as Binance does; futures
writes plain decimals. Times are epoch milliseconds.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Context, Decimal
from typing import Any

from execution_app.exchange.filters import decimal_to_wire
from execution_app.models_paper import PaperAlgoOrder, PaperOrder, PaperOrderList, PaperTrade

_SPOT_PLACES = Decimal("1E-8")
SPOT_STP = "EXPIRE_MAKER"
FUTURES_STP = "EXPIRE_MAKER"
ORDER_LIST_NONE = -1
_WIDE = Context(prec=200)  # quantizing any stored amount is exact at this precision


def stored_exactly(row: Any) -> bool:
    """Every decimal of ``row`` fits its column's scale, so reading the row back
    would give the same numbers (PostgreSQL rounds finer values on the way in)."""
    for field in row._meta.concrete_fields:
        places = getattr(field, "decimal_places", None)
        value = getattr(row, field.attname)
        if places is not None and isinstance(value, Decimal) and value.is_finite():
            if value != value.quantize(Decimal(1).scaleb(-places), context=_WIDE):
                return False
    return True


def ms(moment: datetime | None) -> int:
    return int(moment.timestamp() * 1000) if moment else 0


def spot_num(value: Decimal | None) -> str:
    """Binance spot's 8-decimal text; more decimals are kept rather than rounded away."""
    if value is None:
        value = Decimal(0)
    if value == value.quantize(_SPOT_PLACES):
        return format(value.quantize(_SPOT_PLACES), "f")
    return decimal_to_wire(value)


def fut_num(value: Decimal | None) -> str:
    return decimal_to_wire(value if value is not None else Decimal(0))


def _list_id(order: PaperOrder) -> int:
    return order.order_list_id if order.order_list_id else ORDER_LIST_NONE


def spot_ack(order: PaperOrder) -> dict[str, Any]:
    return {
        "symbol": order.symbol,
        "orderId": order.exchange_order_id,
        "orderListId": _list_id(order),
        "clientOrderId": order.client_order_id,
        "transactTime": ms(order.created_at),
    }


def _spot_common(order: PaperOrder) -> dict[str, Any]:
    data: dict[str, Any] = {
        "price": spot_num(order.price),
        "origQty": spot_num(order.quantity),
        "executedQty": spot_num(order.executed_quantity),
        "origQuoteOrderQty": spot_num(Decimal(0)),
        "cummulativeQuoteQty": spot_num(order.cumulative_quote),
        "status": order.status,
        "timeInForce": order.time_in_force or "GTC",
        "type": order.order_type,
        "side": order.side,
    }
    if order.stop_price is not None:
        data["stopPrice"] = spot_num(order.stop_price)
    return data


def spot_result(order: PaperOrder) -> dict[str, Any]:
    data = spot_ack(order)
    data.update(_spot_common(order))
    data["workingTime"] = ms(order.working_at) if order.is_working else -1
    data["selfTradePreventionMode"] = SPOT_STP
    return data


def spot_full(order: PaperOrder, trades: list[PaperTrade]) -> dict[str, Any]:
    data = spot_result(order)
    data["fills"] = [
        {
            "price": spot_num(t.price),
            "qty": spot_num(t.quantity),
            "commission": spot_num(t.commission),
            "commissionAsset": t.commission_asset,
            "tradeId": t.trade_id,
        }
        for t in trades
    ]
    return data


def spot_query(order: PaperOrder) -> dict[str, Any]:
    data: dict[str, Any] = {
        "symbol": order.symbol,
        "orderId": order.exchange_order_id,
        "orderListId": _list_id(order),
        "clientOrderId": order.client_order_id,
    }
    data.update(_spot_common(order))
    data.setdefault("stopPrice", spot_num(Decimal(0)))
    data.update({
        "icebergQty": spot_num(Decimal(0)),
        "time": ms(order.created_at),
        "updateTime": ms(order.updated_at),
        "isWorking": order.is_working,
        "workingTime": ms(order.working_at) if order.is_working else -1,
        "origQuoteOrderQty": spot_num(Decimal(0)),
        "selfTradePreventionMode": SPOT_STP,
    })
    return data


def spot_cancel(order: PaperOrder, *, cancel_client_id: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "symbol": order.symbol,
        "origClientOrderId": order.client_order_id,
        "orderId": order.exchange_order_id,
        "orderListId": _list_id(order),
        "clientOrderId": cancel_client_id,
        "transactTime": ms(order.updated_at),
    }
    data.update(_spot_common(order))
    data["selfTradePreventionMode"] = SPOT_STP
    return data


def futures_order(order: PaperOrder, *, with_time: bool = False) -> dict[str, Any]:
    average = order.cumulative_quote / order.executed_quantity if order.executed_quantity else Decimal(0)
    data: dict[str, Any] = {
        "orderId": order.exchange_order_id,
        "symbol": order.symbol,
        "status": order.status,
        "clientOrderId": order.client_order_id,
        "price": fut_num(order.price),
        "avgPrice": fut_num(average),
        "origQty": fut_num(order.quantity),
        "executedQty": fut_num(order.executed_quantity),
        "cumQty": fut_num(order.executed_quantity),
        "cumQuote": fut_num(order.cumulative_quote),
        "timeInForce": order.time_in_force or "GTC",
        "type": order.order_type,
        "reduceOnly": order.reduce_only,
        "closePosition": order.close_position,
        "side": order.side,
        "positionSide": order.position_side or "BOTH",
        "stopPrice": fut_num(order.stop_price),
        "workingType": "CONTRACT_PRICE",
        "priceProtect": False,
        "origType": order.orig_type or order.order_type,
        "priceMatch": "NONE",
        "selfTradePreventionMode": FUTURES_STP,
        "goodTillDate": 0,
        "updateTime": ms(order.updated_at),
    }
    if with_time:
        data["time"] = ms(order.created_at)
    return data


def futures_ack(order: PaperOrder) -> dict[str, Any]:
    """The order as accepted, before matching: Binance's ACK answer."""
    data = futures_order(order)
    data.update({"status": "NEW", "avgPrice": "0", "executedQty": "0", "cumQty": "0", "cumQuote": "0"})
    return data


def spot_trade(trade: PaperTrade) -> dict[str, Any]:
    order = trade.order
    return {
        "symbol": trade.symbol,
        "id": trade.trade_id,
        "orderId": order.exchange_order_id,
        "orderListId": _list_id(order),
        "price": spot_num(trade.price),
        "qty": spot_num(trade.quantity),
        "quoteQty": spot_num(trade.quote_quantity),
        "commission": spot_num(trade.commission),
        "commissionAsset": trade.commission_asset,
        "time": ms(trade.created_at),
        "isBuyer": trade.side == "BUY",
        "isMaker": trade.is_maker,
        "isBestMatch": True,
    }


def futures_trade(trade: PaperTrade) -> dict[str, Any]:
    return {
        "buyer": trade.side == "BUY",
        "commission": fut_num(trade.commission),
        "commissionAsset": trade.commission_asset,
        "id": trade.trade_id,
        "maker": trade.is_maker,
        "orderId": trade.order_id,
        "price": fut_num(trade.price),
        "qty": fut_num(trade.quantity),
        "quoteQty": fut_num(trade.quote_quantity),
        "realizedPnl": fut_num(trade.realized_pnl),
        "side": trade.side,
        "positionSide": trade.position_side or "BOTH",
        "symbol": trade.symbol,
        "time": ms(trade.created_at),
    }


def order_list(lst: PaperOrderList, orders: list[PaperOrder]) -> dict[str, Any]:
    return {
        "orderListId": lst.order_list_id,
        "contingencyType": "OCO",
        "listStatusType": lst.list_status_type,
        "listOrderStatus": lst.list_order_status,
        "listClientOrderId": lst.list_client_order_id,
        "transactionTime": ms(lst.created_at),
        "symbol": lst.symbol,
        "orders": [
            {"symbol": o.symbol, "orderId": o.exchange_order_id, "clientOrderId": o.client_order_id} for o in orders
        ],
    }


def algo_order(algo: PaperAlgoOrder) -> dict[str, Any]:
    return {
        "algoId": algo.algo_id,
        "clientAlgoId": algo.client_algo_id,
        "algoType": "CONDITIONAL",
        "orderType": algo.order_type,
        "symbol": algo.symbol,
        "side": algo.side,
        "positionSide": algo.position_side,
        "timeInForce": algo.time_in_force or "GTC",
        "quantity": fut_num(algo.quantity),
        "algoStatus": algo.status,
        "triggerPrice": fut_num(algo.trigger_price),
        "price": fut_num(algo.price),
        "icebergQuantity": None,
        "selfTradePreventionMode": FUTURES_STP,
        "workingType": algo.working_type,
        "priceMatch": "NONE",
        "closePosition": algo.close_position,
        "priceProtect": algo.price_protect,
        "reduceOnly": algo.reduce_only,
        "activatePrice": "",
        "callbackRate": "",
        "createTime": ms(algo.created_at),
        "updateTime": ms(algo.updated_at),
        "triggerTime": ms(algo.triggered_at),
        "goodTillDate": 0,
    }


def algo_with_actual(algo: PaperAlgoOrder) -> dict[str, Any]:
    data = algo_order(algo)
    actual = algo.actual_order
    data["actualOrderId"] = str(actual.exchange_order_id) if actual else ""
    average = actual.cumulative_quote / actual.executed_quantity if actual and actual.executed_quantity else None
    data["actualPrice"] = fut_num(average) if average is not None else "0"
    return data
