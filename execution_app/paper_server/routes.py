"""Every endpoint the server answers: method, path, security, weight, engine call.

Each handler is one call into the paper engine (``execution_app.exchange.
paper_engine``): the server adds HTTP, security and rate limits and nothing
else, so the in-process paper adapter and this server see one exchange.
Weights are Binance's (spot ``rest-api.md``, USD-M endpoint pages).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from execution_app.exchange import paper_engine as engine

Params = dict[str, str]
Handler = Callable[[Params, str], Any]  # (params, account) -> JSON-ready payload
Weight = int | Callable[[Params], int]

NONE, SIGNED = "NONE", "SIGNED"


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    market: str  # "spot" (/api) or "usdm" (/fapi): separate weight budgets, as on Binance
    security: str
    weight: Weight
    handler: Handler
    is_order: bool = False  # counts toward X-MBX-ORDER-COUNT

    def weight_of(self, params: Params) -> int:
        return self.weight(params) if callable(self.weight) else self.weight


def _with_symbol(one: int, every: int) -> Callable[[Params], int]:
    return lambda params: one if params.get("symbol") else every


def _exchange_info(market: str) -> Handler:
    def handler(params: Params, account: str) -> Any:
        info = engine.engine_exchange_info(market=market)
        wanted = {params["symbol"]} if params.get("symbol") else set()
        if params.get("symbols"):
            wanted |= {s.strip(' "') for s in params["symbols"].strip("[]").split(",") if s.strip(' "')}
        if wanted:
            info = {**info, "symbols": [s for s in info["symbols"] if s["symbol"] in wanted]}
        return info

    return handler


def _call(function: Callable[..., Any], market: str, **extra: Any) -> Handler:
    return lambda params, account: function(params, market=market, account=account, **extra)


def _public(function: Callable[..., Any], market: str) -> Handler:
    return lambda params, account: function(params, market=market)


def _spot_routes() -> list[Route]:
    m = "spot"
    p = "/api/v3/"
    return [
        Route("GET", p + "ping", m, NONE, 1, lambda params, account: {}),
        Route("GET", p + "exchangeInfo", m, NONE, 20, _exchange_info(m)),
        Route("GET", p + "ticker/price", m, NONE, _with_symbol(2, 4), _public(engine.engine_ticker_price, m)),
        Route("POST", p + "order", m, SIGNED, 1, _call(engine.engine_new_order, m), is_order=True),
        Route("GET", p + "order", m, SIGNED, 4, _call(engine.engine_query_order, m)),
        Route("DELETE", p + "order", m, SIGNED, 1, _call(engine.engine_cancel_order, m)),
        Route("POST", p + "order/test", m, SIGNED, 1, _call(engine.engine_test_order, m)),
        Route("GET", p + "openOrders", m, SIGNED, _with_symbol(6, 80), _call(engine.engine_open_orders, m)),
        Route("DELETE", p + "openOrders", m, SIGNED, 1, _call(engine.engine_cancel_all, m)),
        Route("GET", p + "allOrders", m, SIGNED, 20, _call(engine.engine_all_orders, m)),
        Route("GET", p + "account", m, SIGNED, 20, _call(engine.engine_account, m)),
        Route("GET", p + "myTrades", m, SIGNED, 20, _call(engine.engine_my_trades, m)),
        Route("POST", p + "orderList/oco", m, SIGNED, 1, _call(engine.engine_new_oco, m), is_order=True),
        Route("POST", p + "order/oco", m, SIGNED, 1, _call(engine.engine_new_oco, m), is_order=True),
        Route("GET", p + "orderList", m, SIGNED, 4, _call(engine.engine_query_order_list, m)),
        Route("DELETE", p + "orderList", m, SIGNED, 1, _call(engine.engine_cancel_order_list, m)),
        Route("GET", p + "openOrderList", m, SIGNED, 6, _call(engine.engine_open_order_lists, m)),
    ]


def _futures_routes() -> list[Route]:
    m = "usdm"
    v1, v2, v3 = "/fapi/v1/", "/fapi/v2/", "/fapi/v3/"
    ticker = _public(engine.engine_ticker_price, m)
    return [
        Route("GET", v1 + "ping", m, NONE, 1, lambda params, account: {}),
        Route("GET", v1 + "exchangeInfo", m, NONE, 1, _exchange_info(m)),
        Route("GET", v1 + "ticker/price", m, NONE, _with_symbol(1, 2), ticker),
        Route("GET", v2 + "ticker/price", m, NONE, _with_symbol(1, 2), ticker),
        Route("POST", v1 + "order", m, SIGNED, 1, _call(engine.engine_new_order, m), is_order=True),
        Route("GET", v1 + "order", m, SIGNED, 1, _call(engine.engine_query_order, m)),
        Route("DELETE", v1 + "order", m, SIGNED, 1, _call(engine.engine_cancel_order, m)),
        Route("POST", v1 + "order/test", m, SIGNED, 1, _call(engine.engine_test_order, m)),
        Route("GET", v1 + "openOrders", m, SIGNED, _with_symbol(1, 40), _call(engine.engine_open_orders, m)),
        Route("DELETE", v1 + "allOpenOrders", m, SIGNED, 1, _call(engine.engine_cancel_all, m)),
        Route("GET", v1 + "allOrders", m, SIGNED, 5, _call(engine.engine_all_orders, m)),
        Route("POST", v1 + "algoOrder", m, SIGNED, 1, _call(engine.engine_new_algo_order, m), is_order=True),
        Route("GET", v1 + "algoOrder", m, SIGNED, 1, _call(engine.engine_query_algo_order, m)),
        Route("DELETE", v1 + "algoOrder", m, SIGNED, 1, _call(engine.engine_cancel_algo_order, m)),
        Route("GET", v1 + "openAlgoOrders", m, SIGNED, _with_symbol(1, 40), _call(engine.engine_open_algo_orders, m)),
        Route("DELETE", v1 + "algoOpenOrders", m, SIGNED, 1, _call(engine.engine_cancel_all_algo, m)),
        Route("POST", v1 + "leverage", m, SIGNED, 1, _call(engine.engine_change_leverage, m)),
        Route("POST", v1 + "marginType", m, SIGNED, 1, _call(engine.engine_change_margin_type, m)),
        Route("GET", v1 + "positionSide/dual", m, SIGNED, 30, _call(engine.engine_get_position_mode, m)),
        Route("POST", v1 + "positionSide/dual", m, SIGNED, 1, _call(engine.engine_change_position_mode, m)),
        Route("GET", v1 + "userTrades", m, SIGNED, 5, _call(engine.engine_my_trades, m)),
        Route("GET", v2 + "account", m, SIGNED, 5, _call(engine.engine_account, m)),
        Route("GET", v2 + "positionRisk", m, SIGNED, 5, _call(engine.engine_position_risk, m, version=2)),
        Route("GET", v3 + "positionRisk", m, SIGNED, 5, _call(engine.engine_position_risk, m, version=3)),
    ]


ROUTES: dict[tuple[str, str], Route] = {(r.method, r.path): r for r in _spot_routes() + _futures_routes()}
# /time is answered by the app itself: it needs the server clock, fault offset included.
TIME_PATHS = {"/api/v3/time": "spot", "/fapi/v1/time": "usdm"}
