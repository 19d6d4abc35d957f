"""Binance USD-M futures through python-binance.

MARKET and LIMIT go to /fapi/v1/order; STOP, STOP_MARKET, TAKE_PROFIT and
TAKE_PROFIT_MARKET to the algo endpoint (/fapi/v1/algoOrder, Binance since
2025-12), with our client order id as ``clientAlgoId``. Lookups and cancels
by client order id try the order first, then the algo order, so callers
never need to know which of the two an id lives in (before or after it
triggers).
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

from binance.exceptions import BinanceAPIException

from execution_app.exchange.base import ExchangeOrder, ExchangeOutcomeUnknown, OrderNotFound, OrderRequest
from execution_app.exchange.binance.common import BinanceAdapterBase, wire
from execution_app.exchange.binance.errors import (
    CANCEL_REJECTED,
    NO_NEED_TO_CHANGE,
    NO_SUCH_ORDER,
    POSITION_SIDE_MISMATCH,
    USE_ALGO_ENDPOINT,
    is_duplicate,
    rejection,
)
from execution_app.exchange.binance.parsing import (
    ExchangePosition,
    SymbolSettings,
    algo_order,
    futures_fill,
    futures_order,
    futures_position,
    symbol_settings,
)
from execution_app.models import FINAL_ORDER_STATUSES

CONDITIONAL_TYPES = frozenset({"STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"})
_LIMIT_PRICE_TYPES = frozenset({"LIMIT", "STOP", "TAKE_PROFIT"})


class BinanceFuturesExchange(BinanceAdapterBase):
    name = "binance_usdm"
    market = "usdm"
    time_method = "futures_time"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._hedge_mode: bool | None = None
        self._mode_lock = threading.Lock()

    # --- orders ---------------------------------------------------------------

    def place_order(self, request: OrderRequest) -> ExchangeOrder:
        self.prepare(request)
        if request.order_type in CONDITIONAL_TYPES:
            return self._place_algo(request)
        return self._place(request, resent_for_mode=False)

    def _place(self, request: OrderRequest, *, resent_for_mode: bool) -> ExchangeOrder:
        params = {
            "symbol": request.symbol,
            "side": request.side,
            "type": request.order_type,
            "quantity": wire(request.quantity),
            "newClientOrderId": request.client_order_id,
            "newOrderRespType": "RESULT",  # the matched state, not just "accepted"
            **self._position_params(request),
        }
        if request.price is not None:
            params["price"] = wire(request.price)
        if request.stop_price is not None:
            params["stopPrice"] = wire(request.stop_price)
        if request.order_type == "LIMIT":
            params["timeInForce"] = request.time_in_force or "GTC"
        try:
            raw = self.call("futures_order_endpoint", mutating=True, **params)
        except ExchangeOutcomeUnknown as exc:
            return self.found_after_unknown(request, exc)
        except BinanceAPIException as exc:
            if is_duplicate(exc):
                return self.get_order(symbol=request.symbol, client_order_id=request.client_order_id)
            if exc.code == USE_ALGO_ENDPOINT:
                return self._place_algo(request)
            if exc.code == POSITION_SIDE_MISMATCH and not resent_for_mode and self._mode_changed():
                return self._place(request, resent_for_mode=True)  # refused, so nothing was placed
            raise rejection(exc) from exc
        return self._with_trades(futures_order(raw))

    def _place_algo(self, request: OrderRequest, *, resent_for_mode: bool = False) -> ExchangeOrder:
        params: dict[str, str] = {
            "algoType": "CONDITIONAL",
            "symbol": request.symbol,
            "side": request.side,
            "type": request.order_type,
            "clientAlgoId": request.client_order_id,
            "workingType": "MARK_PRICE",  # a wick in the last price must not fire a stop
            **self._position_params(request),
        }
        if request.stop_price is not None:
            params["triggerPrice"] = wire(request.stop_price)
        if request.close_position:
            params["closePosition"] = "true"
            params.pop("reduceOnly", None)  # Binance refuses both together
        else:
            params["quantity"] = wire(request.quantity)
        if request.order_type in _LIMIT_PRICE_TYPES and request.price is not None:
            params["price"] = wire(request.price)
            params["timeInForce"] = request.time_in_force or "GTC"
        try:
            raw = self.call("futures_create_algo_order", mutating=True, **params)
        except ExchangeOutcomeUnknown as exc:
            return self.found_after_unknown(request, exc)
        except BinanceAPIException as exc:
            if is_duplicate(exc):
                return self.get_order(symbol=request.symbol, client_order_id=request.client_order_id)
            if exc.code == POSITION_SIDE_MISMATCH and not resent_for_mode and self._mode_changed():
                return self._place_algo(request, resent_for_mode=True)
            raise rejection(exc) from exc
        return algo_order(raw)

    def get_order(self, *, symbol: str, client_order_id: str) -> ExchangeOrder:
        try:
            raw = self.call("futures_get_order", mutating=False, symbol=symbol, origClientOrderId=client_order_id)
            return self._with_trades(futures_order(raw))
        except BinanceAPIException as exc:
            if exc.code != NO_SUCH_ORDER:
                raise rejection(exc) from exc
        try:
            algo = self.call("futures_get_algo_order", mutating=False, symbol=symbol, clientAlgoId=client_order_id)
        except BinanceAPIException as exc:
            if exc.code == NO_SUCH_ORDER:
                raise OrderNotFound(client_order_id) from exc
            raise rejection(exc) from exc
        actual = algo.get("actualOrderId")
        if actual:  # triggered: the order it became holds the fills
            raw = self.call("futures_get_order", mutating=False, symbol=symbol, orderId=int(actual))
            return replace(self._with_trades(futures_order(raw)), client_order_id=client_order_id)
        return algo_order(algo)

    def cancel_order(self, *, symbol: str, client_order_id: str) -> ExchangeOrder:
        for method, key in (
            ("futures_cancel_order", "origClientOrderId"),
            ("futures_cancel_algo_order", "clientAlgoId"),
        ):
            try:
                self.call(method, mutating=True, symbol=symbol, **{key: client_order_id})
                break
            except BinanceAPIException as exc:
                if exc.code not in (CANCEL_REJECTED, NO_SUCH_ORDER):
                    raise rejection(exc) from exc
            except ExchangeOutcomeUnknown:
                break  # the lookup below says what happened
        order = self.get_order(symbol=symbol, client_order_id=client_order_id)  # OrderNotFound if unknown
        if order.status not in FINAL_ORDER_STATUSES:
            raise ExchangeOutcomeUnknown(f"cancel of {client_order_id}: still {order.status} on the exchange")
        return order

    def open_orders(self, *, symbol: str | None = None) -> list[ExchangeOrder]:
        params = {"symbol": symbol} if symbol else {}
        orders = [
            self._with_trades(futures_order(raw))
            for raw in self.call("futures_get_open_orders", mutating=False, **params)
        ]
        algos = self.call("futures_get_open_algo_orders", mutating=False, **params)
        return orders + [algo_order(raw) for raw in algos]

    def positions(self) -> list[ExchangePosition]:
        rows = self.call("futures_position_information", mutating=False)
        return [position for position in (futures_position(row) for row in rows) if position is not None]

    def account(self) -> dict[str, Any]:
        return dict(self.call("futures_account", mutating=False))

    def _with_trades(self, order: ExchangeOrder) -> ExchangeOrder:
        if not order.executed_quantity:
            return order
        trades = self.call(
            "futures_account_trades", mutating=False, symbol=order.symbol, orderId=int(order.exchange_order_id)
        )
        return replace(order, fills=tuple(futures_fill(t) for t in trades))

    # --- position mode, leverage, margin type -----------------------------------

    def hedge_mode(self) -> bool:
        """True when the account keeps LONG and SHORT positions apart (cached)."""
        with self._mode_lock:
            if self._hedge_mode is None:
                self._hedge_mode = bool(self.call("futures_get_position_mode", mutating=False)["dualSidePosition"])
            return self._hedge_mode

    def _mode_changed(self) -> bool:
        """-4061: re-read the account's mode; True if it differs from what we assumed."""
        with self._mode_lock:
            before = self._hedge_mode
            self._hedge_mode = None
        return self.hedge_mode() != before

    def _position_params(self, request: OrderRequest) -> dict[str, str]:
        if self.hedge_mode():
            # In hedge mode the side pair says open or close; reduceOnly may not be sent.
            default = "LONG" if request.side == "BUY" else "SHORT"
            return {"positionSide": request.position_side or default}
        return {"reduceOnly": "true"} if request.reduce_only and not request.close_position else {}

    def set_position_mode(self, *, hedge: bool) -> None:
        try:
            self.call("futures_change_position_mode", mutating=True, dualSidePosition="true" if hedge else "false")
        except BinanceAPIException as exc:
            if exc.code not in NO_NEED_TO_CHANGE:
                raise rejection(exc) from exc
        with self._mode_lock:
            self._hedge_mode = hedge

    def set_leverage(self, *, symbol: str, leverage: int) -> int:
        """The leverage the exchange now applies to ``symbol``."""
        try:
            raw = self.call("futures_change_leverage", mutating=True, symbol=symbol, leverage=leverage)
        except BinanceAPIException as exc:
            raise rejection(exc) from exc
        return int(raw["leverage"])

    def set_margin_type(self, *, symbol: str, margin_type: str) -> None:
        """ISOLATED or CROSSED; already so (-4046) is success."""
        try:
            self.call("futures_change_margin_type", mutating=True, symbol=symbol, marginType=margin_type)
        except BinanceAPIException as exc:
            if exc.code not in NO_NEED_TO_CHANGE:
                raise rejection(exc) from exc

    def symbol_settings(self, *, symbol: str) -> SymbolSettings | None:
        """The leverage and margin type the exchange has for ``symbol`` (None if it says nothing)."""
        rows = self.call("futures_position_information", mutating=False, symbol=symbol, version=2)
        row = next((r for r in rows if r.get("symbol") == symbol), None)
        return symbol_settings(row) if row is not None else None
