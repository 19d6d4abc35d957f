"""Binance spot through python-binance: orders, OCO lists, cancels and lookups by our client order id."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from binance.exceptions import BinanceAPIException

from execution_app.exchange.base import ExchangeOrder, ExchangeOutcomeUnknown, OrderNotFound, OrderRequest
from execution_app.exchange.binance.common import BinanceAdapterBase, wire
from execution_app.exchange.binance.errors import CANCEL_REJECTED, NO_SUCH_ORDER, is_duplicate, rejection
from execution_app.exchange.binance.parsing import ExchangePosition, spot_cancel_client_id, spot_fill, spot_order
from execution_app.models import FINAL_ORDER_STATUSES

# Types whose limit price needs a timeInForce (LIMIT_MAKER takes none).
_TIME_IN_FORCE_TYPES = frozenset({"LIMIT", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"})


@dataclass(frozen=True)
class OcoRequest:
    """A spot OCO (POST /api/v3/orderList/oco): one leg above the market, one below."""

    list_client_order_id: str
    symbol: str
    side: str
    quantity: Decimal
    above_type: str  # LIMIT_MAKER, TAKE_PROFIT(_LIMIT), STOP_LOSS(_LIMIT)
    above_client_order_id: str
    below_type: str
    below_client_order_id: str
    above_price: Decimal | None = None
    above_stop_price: Decimal | None = None
    below_price: Decimal | None = None
    below_stop_price: Decimal | None = None
    below_time_in_force: str = ""
    above_time_in_force: str = ""


class BinanceSpotExchange(BinanceAdapterBase):
    name = "binance_spot"
    market = "spot"
    time_method = "get_server_time"

    def place_order(self, request: OrderRequest) -> ExchangeOrder:
        self.prepare(request)
        params = order_params(request)
        try:
            raw = self.call("create_order", mutating=True, **params)
        except ExchangeOutcomeUnknown as exc:
            return self.found_after_unknown(request, exc)
        except BinanceAPIException as exc:
            if is_duplicate(exc):  # our id is already there: the first send worked
                return self.get_order(symbol=request.symbol, client_order_id=request.client_order_id)
            raise rejection(exc) from exc
        return spot_order(raw)

    def place_oco(self, request: OcoRequest) -> tuple[ExchangeOrder, ...]:
        params = oco_params(request)
        try:
            raw = self.call("create_oco_order", mutating=True, **params)
        except ExchangeOutcomeUnknown:
            return self._oco_after_unknown(request)
        except BinanceAPIException as exc:
            if is_duplicate(exc):
                return self._oco_after_unknown(request)
            raise rejection(exc) from exc
        return tuple(spot_order(report) for report in raw["orderReports"])

    def get_order(self, *, symbol: str, client_order_id: str) -> ExchangeOrder:
        try:
            raw = self.call("get_order", mutating=False, symbol=symbol, origClientOrderId=client_order_id)
        except BinanceAPIException as exc:
            if exc.code == NO_SUCH_ORDER:
                raise OrderNotFound(client_order_id) from exc
            raise rejection(exc) from exc
        return self._with_trades(spot_order(raw), symbol=symbol)

    def cancel_order(self, *, symbol: str, client_order_id: str) -> ExchangeOrder:
        try:
            raw = self.call("cancel_order", mutating=True, symbol=symbol, origClientOrderId=client_order_id)
        except BinanceAPIException as exc:
            if exc.code in (CANCEL_REJECTED, NO_SUCH_ORDER):
                order = self.get_order(symbol=symbol, client_order_id=client_order_id)  # OrderNotFound if unknown
                if order.status in FINAL_ORDER_STATUSES:
                    return order  # already closed: a repeated cancel is harmless
            raise rejection(exc) from exc
        except ExchangeOutcomeUnknown:
            return self.get_order(symbol=symbol, client_order_id=client_order_id)
        order = spot_order({**raw, "clientOrderId": spot_cancel_client_id(raw)})
        return self._with_trades(order, symbol=symbol)

    def open_orders(self, *, symbol: str | None = None) -> list[ExchangeOrder]:
        params = {"symbol": symbol} if symbol else {}
        raw = self.call("get_open_orders", mutating=False, **params)
        return [self._with_trades(spot_order(item), symbol=item["symbol"]) for item in raw]

    def positions(self) -> list[ExchangePosition]:
        """Spot holds balances, not positions: reconciliation compares orders only."""
        return []

    def account(self) -> dict[str, Any]:
        return dict(self.call("get_account", mutating=False))

    def _with_trades(self, order: ExchangeOrder, *, symbol: str) -> ExchangeOrder:
        # Queries carry no fills; the trades are what positions are built from.
        if not order.executed_quantity or order.fills:
            return order
        trades = self.call("get_my_trades", mutating=False, symbol=symbol, orderId=int(order.exchange_order_id))
        return replace(order, fills=tuple(spot_fill(t) for t in trades))

    def _oco_after_unknown(self, request: OcoRequest) -> tuple[ExchangeOrder, ...]:
        legs = []
        for client_id in (request.above_client_order_id, request.below_client_order_id):
            try:
                legs.append(self.get_order(symbol=request.symbol, client_order_id=client_id))
            except OrderNotFound as exc:
                raise ExchangeOutcomeUnknown(f"OCO {request.list_client_order_id}: leg {client_id} not found") from exc
        return tuple(legs)


def order_params(request: OrderRequest) -> dict[str, str]:
    params = {
        "symbol": request.symbol,
        "side": request.side,
        "type": request.order_type,
        "quantity": wire(request.quantity),
        "newClientOrderId": request.client_order_id,
        "newOrderRespType": "FULL",  # fills in the answer, for every type
    }
    if request.price is not None:
        params["price"] = wire(request.price)
    if request.stop_price is not None:
        params["stopPrice"] = wire(request.stop_price)
    if request.order_type in _TIME_IN_FORCE_TYPES:
        params["timeInForce"] = request.time_in_force or "GTC"
    return params


def oco_params(request: OcoRequest) -> dict[str, str]:
    params = {
        "symbol": request.symbol,
        "side": request.side,
        "quantity": wire(request.quantity),
        "listClientOrderId": request.list_client_order_id,
        "aboveType": request.above_type,
        "aboveClientOrderId": request.above_client_order_id,
        "belowType": request.below_type,
        "belowClientOrderId": request.below_client_order_id,
        "newOrderRespType": "FULL",
    }
    optional = {
        "abovePrice": request.above_price,
        "aboveStopPrice": request.above_stop_price,
        "belowPrice": request.below_price,
        "belowStopPrice": request.below_stop_price,
    }
    params.update({name: wire(value) for name, value in optional.items() if value is not None})
    if request.above_time_in_force or request.above_type.endswith("_LIMIT"):
        params["aboveTimeInForce"] = request.above_time_in_force or "GTC"
    if request.below_time_in_force or request.below_type.endswith("_LIMIT"):
        params["belowTimeInForce"] = request.below_time_in_force or "GTC"
    return params
