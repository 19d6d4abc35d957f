"""The in-process paper exchange adapter: our OrderRequest in, the engine's Binance answers out.

It speaks to ``execution_app.exchange.paper_engine`` exactly as the Binance
adapter speaks to Binance: Binance parameter names and wire strings going
in, Binance JSON coming back, PaperBinanceError mapped to ExchangeRejected.
The engine keeps its books in their own transactions, as a remote exchange
would, so an order can be looked up by client order id after a crash.
Futures conditional types go through the engine's algo endpoint; before
they trigger they are reported ``open`` and not working, afterwards as the
order they placed (same client id).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings

from execution_app.exchange.base import (
    ExchangeFill,
    ExchangeOrder,
    ExchangeRejected,
    OrderNotFound,
    OrderRequest,
)
from execution_app.exchange.binance.parsing import ExchangePosition, SymbolSettings, futures_position, symbol_settings
from execution_app.exchange.filters import decimal_to_wire
from execution_app.exchange.paper_engine import (
    DEFAULT_ACCOUNT,
    PaperBinanceError,
    engine_cancel_algo_order,
    engine_cancel_order,
    engine_change_leverage,
    engine_change_margin_type,
    engine_account_row,
    engine_change_position_mode,
    engine_get_position_mode,
    engine_my_trades,
    engine_open_algo_orders,
    engine_open_orders,
    engine_place_algo_order,
    engine_place_order,
    engine_position_risk,
    engine_query_algo_order,
    engine_query_order,
)
from execution_app.models import OrderStatus

ALGO_TYPES = frozenset({"STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET"})
_NEEDS_TIF = frozenset({"LIMIT", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT", "STOP", "TAKE_PROFIT"})
_STATUS = {
    "NEW": OrderStatus.OPEN,
    "PARTIALLY_FILLED": OrderStatus.PARTIALLY_FILLED,
    "FILLED": OrderStatus.FILLED,
    "CANCELED": OrderStatus.CANCELED,
    "EXPIRED": OrderStatus.EXPIRED,
    "EXPIRED_IN_MATCH": OrderStatus.EXPIRED,
    "REJECTED": OrderStatus.REJECTED,
}
# Binance code -> our rejection reason. Spot filter failures name the filter.
_REASONS = {
    -1013: "filter_failure", -1111: "bad_precision", -1121: "unknown_symbol", -2019: "margin_insufficient",
    -2021: "would_trigger_immediately", -2022: "reduce_only_rejected", -4061: "position_side_mismatch",
    -4116: "duplicate_client_order_id", -4164: "filter_min_notional", -5021: "fok_not_filled",
    -5022: "post_only_would_take", -4003: "filter_lot_size", -4004: "filter_lot_size", -4005: "filter_lot_size",
    -4023: "filter_lot_size", -4001: "filter_price_filter", -4002: "filter_price_filter",
    -4013: "filter_price_filter", -4014: "filter_price_filter", -4016: "filter_percent_price",
    -4024: "filter_percent_price",
}
_SPOT_2010 = {
    "Duplicate order sent.": "duplicate_client_order_id",
    "Account has insufficient balance for requested action.": "insufficient_balance",
    "Order would trigger immediately.": "would_trigger_immediately",
    "Order would immediately match and take.": "post_only_would_take",
    "Market is closed.": "no_price",
}


def rejection_reason(error: PaperBinanceError) -> str:
    """A stable snake_case reason for a Binance error (what Order.status_reason records)."""
    if error.code == -1013 and error.msg.startswith("Filter failure: "):
        return "filter_" + error.msg.removeprefix("Filter failure: ").lower()
    if error.code == -2010:
        if "not supported for this symbol" in error.msg or error.msg == "Unsupported order combination":
            return "order_type_not_supported"
        return _SPOT_2010.get(error.msg, "new_order_rejected")
    return _REASONS.get(error.code, f"binance_{abs(error.code)}")


def _dec(text: Any) -> Decimal:
    return Decimal(str(text))


def _price_or_none(text: Any) -> Decimal | None:
    if text in (None, ""):
        return None
    value = _dec(text)
    return value if value else None


class PaperExchange:
    name = "paper"

    def __init__(self, *, market: str | None = None, account: str = DEFAULT_ACCOUNT) -> None:
        self.market = market or settings.EXCHANGE_MARKET
        self.account = account

    # --- the adapter protocol ------------------------------------------------

    def place_order(self, request: OrderRequest) -> ExchangeOrder:
        algo = self.market == "usdm" and request.order_type in ALGO_TYPES

        def params_for(hedge: bool) -> dict[str, str]:
            # built under the engine's account lock, from the mode it just read
            return self._params(request, algo=algo, hedge=hedge)

        try:
            if algo:
                placed_algo = engine_place_algo_order(params_for, market=self.market, account=self.account)
            else:
                answer, trades = engine_place_order(params_for, market=self.market, account=self.account)
        except PaperBinanceError as exc:
            raise ExchangeRejected(code=exc.code, message=exc.msg, reason=rejection_reason(exc)) from None
        # The engine answers the order (and its fills) as a get_order right after would read them.
        if algo:
            return self._algo(placed_algo)
        return self._order(answer, trades=trades)

    def get_order(self, *, symbol: str, client_order_id: str, algo: bool | None = None) -> ExchangeOrder:
        """``algo``: None when unknown (look up both kinds), False for a plain order."""
        return self._get_order(symbol, client_order_id, row=self._row(), algo=algo)

    def _get_order(self, symbol: str, client_order_id: str, *, row: Any, algo: bool | None = None) -> ExchangeOrder:
        conditional = self._algo_answer(client_order_id, row) if algo is not False else None
        if conditional is not None and self._is_waiting(conditional, symbol):
            return self._algo(conditional)
        try:
            answer = engine_query_order(
                {"symbol": symbol, "origClientOrderId": client_order_id}, market=self.market, account=row
            )
        except PaperBinanceError:
            answer = None
        if answer is not None:
            return self._order(answer, row=row)
        if self.market == "usdm":
            if algo is False:
                conditional = self._algo_answer(client_order_id, row)
            if conditional is None:
                raise OrderNotFound(client_order_id)
            return self._algo(conditional)
        raise OrderNotFound(client_order_id)

    def cancel_order(self, *, symbol: str, client_order_id: str) -> ExchangeOrder:
        row = self._row()
        conditional = self._algo_answer(client_order_id, row)
        try:
            if conditional is not None and self._is_waiting(conditional, symbol):
                engine_cancel_algo_order({"symbol": symbol, "clientAlgoId": client_order_id},
                                         market=self.market, account=self.account)
            else:
                engine_cancel_order({"symbol": symbol, "origClientOrderId": client_order_id},
                                    market=self.market, account=self.account)
        except PaperBinanceError as exc:
            if exc.code != -2011:
                raise ExchangeRejected(code=exc.code, message=exc.msg, reason=rejection_reason(exc)) from None
            # -2011: no longer open (or never existed): report what there is
        return self._get_order(symbol, client_order_id, row=row)

    def open_orders(self, *, symbol: str | None = None) -> list[ExchangeOrder]:
        params = {"symbol": symbol} if symbol else {}
        row = self._row()
        found = [self._order(answer, row=row) for answer in engine_open_orders(params, market=self.market, account=row)]
        if self.market == "usdm":
            algos = engine_open_algo_orders(params, market=self.market, account=row)
            found += [self._algo(algo) for algo in algos]
        return found

    # --- futures account: what reconciliation and the leverage manager use ----------

    def positions(self) -> list[ExchangePosition]:
        if self.market != "usdm":
            return []  # spot holds balances, not positions
        rows = engine_position_risk({}, market="usdm", account=self.account)
        return [position for position in (futures_position(row) for row in rows) if position is not None]

    def hedge_mode(self) -> bool:
        return self._hedge_mode()

    def expected_fill_price(self, *, symbol: str, side: str, quantity: Decimal) -> Decimal:
        """The average price a market order of ``quantity`` would get walking the
        engine's book right now: what slippage_tolerance_pct is judged against."""
        from execution_app.exchange.filters import symbol_rules
        from execution_app.exchange.paper_engine.book import BookConfig, book_levels, book_take
        from petrosa.core.market import price_latest

        rules = symbol_rules(symbol, market=self.market)
        levels = book_levels(rules, last=price_latest(symbol), taker_side=side, config=BookConfig.from_settings())
        takes = book_take(levels, quantity=quantity, limit=None, taker_side=side)
        filled = sum((take.quantity for take in takes), Decimal(0))
        if not filled:
            return price_latest(symbol)
        return sum((take.price * take.quantity for take in takes), Decimal(0)) / filled

    def set_position_mode(self, *, hedge: bool) -> None:
        self._settle(engine_change_position_mode, {"dualSidePosition": "true" if hedge else "false"})

    def set_leverage(self, *, symbol: str, leverage: int) -> int:
        answer = self._settle(engine_change_leverage, {"symbol": symbol, "leverage": str(leverage)})
        return int(answer["leverage"])

    def set_margin_type(self, *, symbol: str, margin_type: str) -> None:
        self._settle(engine_change_margin_type, {"symbol": symbol, "marginType": margin_type})

    def symbol_settings(self, *, symbol: str) -> SymbolSettings | None:
        rows = engine_position_risk({"symbol": symbol}, market="usdm", account=self.account, version=2)
        return symbol_settings(rows[0]) if rows else None

    def _settle(self, call: Any, params: dict[str, str]) -> dict[str, Any]:
        """A settings change; "no need to change" (-4046, -4059) is success."""
        try:
            return dict(call(params, market="usdm", account=self.account))
        except PaperBinanceError as exc:
            if exc.code in (-4046, -4059):
                return {}
            raise ExchangeRejected(code=exc.code, message=exc.msg, reason=rejection_reason(exc)) from None

    # --- translation -----------------------------------------------------------

    def _hedge_mode(self) -> bool:
        return bool(engine_get_position_mode({}, market="usdm", account=self.account)["dualSidePosition"])

    def _row(self) -> Any:
        """The account row for this one call's reads (never kept: tests and the
        HTTP server change accounts between calls)."""
        return engine_account_row(market=self.market, account=self.account)

    def _params(self, request: OrderRequest, *, algo: bool, hedge: bool) -> dict[str, str]:
        order_type, tif = request.order_type, request.time_in_force
        if self.market == "spot" and order_type == "LIMIT" and tif == "GTX":
            order_type, tif = "LIMIT_MAKER", ""  # spot's post-only is a type, not a time in force
        params = {"symbol": request.symbol, "side": request.side, "type": order_type, "newOrderRespType": "RESULT"}
        params["clientAlgoId" if algo else "newClientOrderId"] = request.client_order_id
        if algo:
            params["algoType"] = "CONDITIONAL"
        if not (self.market == "usdm" and request.close_position):
            params["quantity"] = decimal_to_wire(request.quantity)
        if request.price is not None:
            params["price"] = decimal_to_wire(request.price)
        if request.stop_price is not None:
            params["triggerPrice" if algo else "stopPrice"] = decimal_to_wire(request.stop_price)
        if order_type in _NEEDS_TIF:
            params["timeInForce"] = tif or "GTC"
        if self.market == "usdm":
            if hedge:
                params["positionSide"] = request.position_side or ("LONG" if request.side == "BUY" else "SHORT")
            elif request.reduce_only and not request.close_position:
                params["reduceOnly"] = "true"
            if request.close_position:
                params["closePosition"] = "true"
        return params

    def _fills(self, symbol: str, order_id: int, row: Any) -> tuple[ExchangeFill, ...]:
        trades = engine_my_trades({"symbol": symbol, "orderId": str(order_id)}, market=self.market, account=row)
        return self._fill_tuple(trades)

    @staticmethod
    def _fill_tuple(trades: list[dict[str, Any]]) -> tuple[ExchangeFill, ...]:
        return tuple(
            ExchangeFill(
                trade_id=str(t["id"]), price=_dec(t["price"]), quantity=_dec(t["qty"]),
                commission=_dec(t["commission"]), commission_asset=t["commissionAsset"],
                is_maker=bool(t.get("isMaker", t.get("maker", False))),
            )
            for t in trades
        )

    def _order(
        self, answer: dict[str, Any], *, row: Any = None, trades: list[dict[str, Any]] | None = None
    ) -> ExchangeOrder:
        """``trades``: the order's trades when already known, else read (with ``row``)."""
        executed = _dec(answer["executedQty"])
        if self.market == "spot":
            average = _dec(answer["cummulativeQuoteQty"]) / executed if executed else None
            order_type, working = answer["type"], bool(answer.get("isWorking", True))
        else:
            average = _dec(answer["avgPrice"]) if executed else None
            order_type, working = answer.get("origType") or answer["type"], True
        fills: tuple[ExchangeFill, ...] = ()
        if executed:
            fills = self._fill_tuple(trades) if trades is not None else self._fills(
                answer["symbol"], answer["orderId"], row if row is not None else self._row()
            )
        return ExchangeOrder(
            client_order_id=answer["clientOrderId"], exchange_order_id=str(answer["orderId"]),
            status=_STATUS[answer["status"]], executed_quantity=executed, average_price=average,
            fills=fills,
            symbol=answer["symbol"], side=answer["side"], order_type=order_type, quantity=_dec(answer["origQty"]),
            price=_price_or_none(answer.get("price")), stop_price=_price_or_none(answer.get("stopPrice")),
            is_working=working,
        )

    def _algo(self, algo: dict[str, Any]) -> ExchangeOrder:
        status = {"NEW": OrderStatus.OPEN, "CANCELED": OrderStatus.CANCELED, "EXPIRED": OrderStatus.EXPIRED,
                  "REJECTED": OrderStatus.REJECTED}.get(algo["algoStatus"], OrderStatus.OPEN)
        return ExchangeOrder(
            client_order_id=algo["clientAlgoId"], exchange_order_id=f"algo-{algo['algoId']}", status=status,
            executed_quantity=Decimal(0), average_price=None, symbol=algo["symbol"], side=algo["side"],
            order_type=algo["orderType"], quantity=_price_or_none(algo.get("quantity")),
            price=_price_or_none(algo.get("price")), stop_price=_price_or_none(algo.get("triggerPrice")),
            is_working=False,
        )

    def _algo_answer(self, client_order_id: str, row: Any) -> dict[str, Any] | None:
        """The futures conditional order with that client id, if any (one read per call)."""
        if self.market != "usdm":
            return None
        try:
            return engine_query_algo_order({"clientAlgoId": client_order_id}, market=self.market, account=row)
        except PaperBinanceError:
            return None

    @staticmethod
    def _is_waiting(algo: dict[str, Any], symbol: str) -> bool:
        """Still waiting for its trigger, on that symbol: what the id names is the algo order."""
        return algo["algoStatus"] == "NEW" and algo["symbol"] == symbol
