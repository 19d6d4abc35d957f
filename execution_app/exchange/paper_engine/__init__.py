"""The paper exchange engine: Binance spot and USD-M futures, simulated in PostgreSQL.

This is the public API. Everything else in the package is private. The
Binance-compatible HTTP server (``manage.py paper_exchange_server``) and the
in-process adapter (``execution_app.exchange.paper.PaperExchange``) are thin
layers over these functions, so all of them see one exchange.

Conventions shared by every function
------------------------------------
* ``params`` is the request's parameters exactly as they arrive on the wire:
  ``Mapping[str, str]`` with Binance's names (``symbol``, ``side``, ``type``,
  ``quantity``, ``price``, ``stopPrice``, ``timeInForce``,
  ``newClientOrderId``, ``newOrderRespType``, ``reduceOnly``,
  ``positionSide``, ``closePosition``, ``orderId``, ``origClientOrderId``...).
  Values are strings (``"true"``/``"false"`` for booleans, plain decimals for
  numbers). Auth parameters (``timestamp``, ``recvWindow``, ``signature``)
  are the HTTP layer's business and are ignored here.
* ``market`` is ``"spot"`` (``/api/v3``) or ``"usdm"`` (``/fapi``).
* ``account`` names a paper account; each (account, market) pair has its own
  balances, orders and positions and is created on first use, funded with
  ``settings.PAPER_STARTING_EQUITY`` of USDT. The HTTP server maps an API key
  to an account name; the in-process adapter uses ``DEFAULT_ACCOUNT``.
  Read functions also take the row from ``engine_account_row`` instead of
  the name, so one adapter call looks the account up once.
* Returns Binance's JSON response as a dict (or list) of JSON-ready values:
  numbers as plain decimal strings (never ``1e-05``), ids and times as ints,
  flags as bools, exactly where Binance puts them.
* Failures raise ``PaperBinanceError(code, msg, http_status)`` with Binance's
  code and message, and change nothing. Codes used: -1100 (illegal number),
  -1102 (mandatory param missing), -1106 (param sent when not required),
  -1111 (too much precision), -1115/-1116/-1117 (bad timeInForce/type/side),
  -1121 (invalid symbol), -1013 (spot filter failure, the filter named:
  ``"Filter failure: LOT_SIZE"``), futures per-rule filter codes (-4003,
  -4004, -4014, -4023, -4164 min notional ...), -2010 (spot: insufficient
  balance, ``"Duplicate order sent."``, would trigger immediately, would
  take), -2011 (cancel unknown), -2013 (no such order), -2019 (margin is
  insufficient), -2021 (would immediately trigger), -2022 (reduceOnly
  rejected), -4028 (invalid leverage), -4046 (no need to change margin type),
  -4047/-4048 (margin type change with orders/position), -4059/-4067/-4068
  (position mode), -4061 (positionSide does not match the mode), -4116
  (futures duplicate clientOrderId), -4120 (conditional type sent to
  /fapi/v1/order), -4136/-4137/-4138 (closePosition rules), -5021 (FOK
  rejected, futures), -5022 (GTX would take, futures).
* Every call is one transaction that locks the account row
  (``select_for_update``), so concurrent callers (web, workers, the HTTP
  server) serialise per account. Money is Decimal throughout; order, trade,
  list and algo ids come from database sequences (deterministic, ascending).

What it simulates (details in README "Paper exchange")
------------------------------------------------------
Prices are ``petrosa.core.market.price_latest``. Orders match against a
synthetic, deterministic book around the last price (``book.py``): the first
level sits at the last price and each further level is
``PAPER_BOOK_LEVEL_SPACING_BPS`` away holding ``PAPER_BOOK_LEVEL_NOTIONAL``
of quote, so slippage grows with size. A marketable limit takes what the book
holds up to its price; the rest rests (GTC), expires (IOC), or nothing fills
(FOK). Taking pays ``PAPER_TAKER_FEE_RATE``, a resting order filled later
pays ``PAPER_MAKER_FEE_RATE``; spot commission is charged in the asset
received, futures commission in USDT. Resting and conditional orders fill or
trigger in ``engine_on_price``.
"""

from __future__ import annotations

# Each function imports its implementation when called: importing this module
# stays cheap and model-free, so PaperBinanceError and the signatures can be
# imported anywhere (the HTTP server, adapters) without import cycles.

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Mapping, Union

from execution_app.exchange.paper_engine.errors import PaperBinanceError

if TYPE_CHECKING:
    from execution_app.models_paper import PaperAccount

Params = Mapping[str, str]
# An account name, or (for reads) its row from ``engine_account_row``: an
# adapter making several reads in one call looks the account up once.
Account = Union[str, "PaperAccount"]
DEFAULT_ACCOUNT = "default"
MARKETS = ("spot", "usdm")

__all__ = [
    "Account",
    "DEFAULT_ACCOUNT",
    "MARKETS",
    "PaperBinanceError",
    "Params",
    "engine_account",
    "engine_account_row",
    "engine_all_orders",
    "engine_cancel_algo_order",
    "engine_cancel_all",
    "engine_cancel_all_algo",
    "engine_cancel_order",
    "engine_cancel_order_list",
    "engine_change_leverage",
    "engine_change_margin_type",
    "engine_change_position_mode",
    "engine_depth",
    "engine_exchange_info",
    "engine_fund",
    "engine_get_position_mode",
    "engine_my_trades",
    "engine_new_algo_order",
    "engine_new_oco",
    "engine_new_order",
    "engine_on_price",
    "engine_open_algo_orders",
    "engine_open_order_lists",
    "engine_open_orders",
    "engine_place_algo_order",
    "engine_place_order",
    "engine_position_risk",
    "engine_query_algo_order",
    "engine_query_order",
    "engine_query_order_list",
    "engine_test_order",
    "engine_ticker_price",
]


# --- orders (POST/GET/DELETE /api/v3/order, /fapi/v1/order) -------------------


def engine_new_order(params: Params, *, market: str, account: str = DEFAULT_ACCOUNT) -> dict[str, Any]:
    """POST /api/v3/order or /fapi/v1/order: validate, match, rest the remainder.

    Spot types: MARKET, LIMIT (GTC/IOC/FOK), LIMIT_MAKER, STOP_LOSS,
    STOP_LOSS_LIMIT, TAKE_PROFIT, TAKE_PROFIT_LIMIT. Futures types on this
    endpoint: MARKET and LIMIT (GTC/IOC/FOK/GTX); STOP, STOP_MARKET,
    TAKE_PROFIT, TAKE_PROFIT_MARKET, TRAILING_STOP_MARKET raise -4120 (use
    ``engine_new_algo_order``), as Binance does since 2025-12.

    Spot answers ACK ``{symbol, orderId, orderListId, clientOrderId,
    transactTime}``, RESULT (+ price, origQty, executedQty,
    origQuoteOrderQty, cummulativeQuoteQty, status, timeInForce, type, side,
    workingTime, selfTradePreventionMode, stopPrice if any) or FULL (+ fills
    ``[{price, qty, commission, commissionAsset, tradeId}]``); MARKET and
    LIMIT default to FULL, other types to ACK. Futures answers the order
    object ``{orderId, symbol, status, clientOrderId, price, avgPrice,
    origQty, executedQty, cumQty, cumQuote, timeInForce, type, reduceOnly,
    closePosition, side, positionSide, stopPrice, workingType, priceProtect,
    origType, priceMatch, selfTradePreventionMode, goodTillDate,
    updateTime}``: with ACK (the default) as accepted (status NEW, nothing
    executed), with RESULT after matching.

    ``newClientOrderId`` is generated (``paper-<orderId>``) when absent. It
    must be unique among the symbol's open orders: spot -2010 "Duplicate
    order sent.", futures -4116 "clientOrderId is duplicated". Once the first
    order is closed the id may be reused, as on Binance; lookups by client
    id return the newest.
    """
    from execution_app.exchange.paper_engine.orders import order_new

    return order_new(params, market=market, account=account)


def engine_place_order(
    params_for: Callable[[bool], Params], *, market: str, account: str = DEFAULT_ACCOUNT
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``engine_new_order`` for an in-process adapter, in one transaction:
    ``params_for(dualSidePosition)`` builds the parameters from the locked
    account's position mode (no separate GET positionSide/dual), and the
    answer is ``(engine_query_order's answer, engine_my_trades' answer for
    its orderId)`` as they would read right after, with no second look-up."""
    from execution_app.exchange.paper_engine.orders import order_place

    return order_place(params_for, market=market, account=account)


def engine_place_algo_order(
    params_for: Callable[[bool], Params], *, market: str = "usdm", account: str = DEFAULT_ACCOUNT
) -> dict[str, Any]:
    """``engine_new_algo_order`` for an in-process adapter: ``params_for`` as
    in ``engine_place_order``; answers the algo order as a query would right
    after (the new-algo shape, without ``actualOrderId``/``actualPrice``)."""
    from execution_app.exchange.paper_engine.algo import algo_place

    return algo_place(params_for, market=market, account=account)


def engine_test_order(params: Params, *, market: str, account: str = DEFAULT_ACCOUNT) -> dict[str, Any]:
    """POST /api/v3/order/test or /fapi/v1/order/test: every parameter and
    filter check of ``engine_new_order`` but no matching, no balance check and
    no write. Returns ``{}``."""
    from execution_app.exchange.paper_engine.orders import order_test

    return order_test(params, market=market, account=account)


def engine_cancel_order(params: Params, *, market: str, account: str = DEFAULT_ACCOUNT) -> dict[str, Any]:
    """DELETE /api/v3/order or /fapi/v1/order with symbol and orderId or
    origClientOrderId. Unlocks the order's funds. Cancelling one leg of a spot
    OCO cancels the list. Unknown or no longer open: -2011 "Unknown order
    sent.". Spot answers ``{symbol, origClientOrderId, orderId, orderListId,
    clientOrderId, transactTime, price, origQty, executedQty,
    origQuoteOrderQty, cummulativeQuoteQty, status: "CANCELED", timeInForce,
    type, side, selfTradePreventionMode}``; futures the order object."""
    from execution_app.exchange.paper_engine.orders import order_cancel

    return order_cancel(params, market=market, account=account)


def engine_query_order(params: Params, *, market: str, account: Account = DEFAULT_ACCOUNT) -> dict[str, Any]:
    """GET /api/v3/order or /fapi/v1/order by orderId or origClientOrderId
    (the newest order with that client id). -2013 "Order does not exist."
    when absent. Spot shape: ``{symbol, orderId, orderListId, clientOrderId,
    price, origQty, executedQty, cummulativeQuoteQty, status, timeInForce,
    type, side, stopPrice, icebergQty, time, updateTime, isWorking,
    workingTime, origQuoteOrderQty, selfTradePreventionMode}``; futures the
    order object plus ``time``. A futures order created when an algo order
    triggered carries the algo's client id as its clientOrderId."""
    from execution_app.exchange.paper_engine.orders import order_query

    return order_query(params, market=market, account=account)


def engine_open_orders(params: Params, *, market: str, account: Account = DEFAULT_ACCOUNT) -> list[dict[str, Any]]:
    """GET /api/v3/openOrders or /fapi/v1/openOrders (``symbol`` optional):
    NEW and PARTIALLY_FILLED orders in the query shape, oldest first."""
    from execution_app.exchange.paper_engine.orders import orders_open

    return orders_open(params, market=market, account=account)


def engine_all_orders(params: Params, *, market: str, account: Account = DEFAULT_ACCOUNT) -> list[dict[str, Any]]:
    """GET /api/v3/allOrders or /fapi/v1/allOrders (``symbol`` mandatory,
    ``orderId`` = from this id, ``limit`` default 500, max 1000)."""
    from execution_app.exchange.paper_engine.orders import orders_all

    return orders_all(params, market=market, account=account)


def engine_cancel_all(params: Params, *, market: str, account: str = DEFAULT_ACCOUNT) -> Any:
    """DELETE /api/v3/openOrders (spot: the list of cancel responses, an OCO as
    its list report) or /fapi/v1/allOpenOrders (futures: ``{"code": 200,
    "msg": "The operation of cancel all open order is done."}``). ``symbol``
    is mandatory."""
    from execution_app.exchange.paper_engine.orders import orders_cancel_all

    return orders_cancel_all(params, market=market, account=account)


# --- spot order lists (OCO) ---------------------------------------------------


def engine_new_oco(params: Params, *, market: str = "spot", account: str = DEFAULT_ACCOUNT) -> dict[str, Any]:
    """POST /api/v3/orderList/oco (``aboveType``/``belowType`` form) or the
    deprecated POST /api/v3/order/oco (``price``, ``stopPrice``,
    ``stopLimitPrice``, ``stopLimitTimeInForce``, ``limitClientOrderId``,
    ``stopClientOrderId``), recognised by the absence of ``aboveType``.
    Spot only. The quantity is locked once for both legs. When one leg fills
    (even partly) or triggers, the other is cancelled; cancelling either
    cancels both. Answers ``{orderListId, contingencyType: "OCO",
    listStatusType, listOrderStatus, listClientOrderId, transactionTime,
    symbol, orders: [{symbol, orderId, clientOrderId}] x2, orderReports:
    [RESULT shape] x2}``."""
    from execution_app.exchange.paper_engine.oco import oco_new

    return oco_new(params, market=market, account=account)


def engine_query_order_list(params: Params, *, market: str = "spot", account: str = DEFAULT_ACCOUNT) -> dict[str, Any]:
    """GET /api/v3/orderList by orderListId or origClientOrderId (the list
    client id): ``{orderListId, contingencyType, listStatusType,
    listOrderStatus, listClientOrderId, transactionTime, symbol, orders}``.
    -2013 when absent."""
    from execution_app.exchange.paper_engine.oco import oco_query

    return oco_query(params, market=market, account=account)


def engine_cancel_order_list(params: Params, *, market: str = "spot", account: str = DEFAULT_ACCOUNT) -> dict[str, Any]:
    """DELETE /api/v3/orderList (symbol + orderListId or listClientOrderId):
    cancels both legs; answers the list with ``listStatusType``/
    ``listOrderStatus`` ``"ALL_DONE"`` and both cancel reports. -2011 when
    unknown or already done."""
    from execution_app.exchange.paper_engine.oco import oco_cancel

    return oco_cancel(params, market=market, account=account)


def engine_open_order_lists(
    params: Params, *, market: str = "spot", account: str = DEFAULT_ACCOUNT
) -> list[dict[str, Any]]:
    """GET /api/v3/openOrderList: the lists still executing."""
    from execution_app.exchange.paper_engine.oco import oco_open

    return oco_open(params, market=market, account=account)


# --- futures conditional orders (/fapi/v1/algoOrder) --------------------------


def engine_new_algo_order(params: Params, *, market: str = "usdm", account: str = DEFAULT_ACCOUNT) -> dict[str, Any]:
    """POST /fapi/v1/algoOrder, ``algoType=CONDITIONAL``; type STOP_MARKET,
    TAKE_PROFIT_MARKET, STOP or TAKE_PROFIT (TRAILING_STOP_MARKET: -1116 on
    paper); ``triggerPrice`` (``stopPrice`` accepted too), ``clientAlgoId``,
    ``closePosition``, ``reduceOnly``, ``positionSide``, ``workingType``.
    A trigger that would fire at once: -2021. When it triggers (in
    ``engine_on_price``) it becomes a MARKET (STOP_MARKET,
    TAKE_PROFIT_MARKET) or LIMIT (STOP, TAKE_PROFIT) order whose clientOrderId
    is the ``clientAlgoId`` and whose ``origType`` is the algo type; the algo
    order's ``algoStatus`` goes NEW -> TRIGGERED (or EXPIRED when
    closePosition/reduceOnly finds nothing to close) and ``actualOrderId``
    points at the order. Answers ``{algoId, clientAlgoId, algoType,
    orderType, symbol, side, positionSide, timeInForce, quantity, algoStatus,
    triggerPrice, price, icebergQuantity, selfTradePreventionMode,
    workingType, priceMatch, closePosition, priceProtect, reduceOnly,
    activatePrice, callbackRate, createTime, updateTime, triggerTime,
    goodTillDate}``."""
    from execution_app.exchange.paper_engine.algo import algo_new

    return algo_new(params, market=market, account=account)


def engine_query_algo_order(
    params: Params, *, market: str = "usdm", account: Account = DEFAULT_ACCOUNT
) -> dict[str, Any]:
    """GET /fapi/v1/algoOrder by algoId or clientAlgoId: the algo shape plus
    ``actualOrderId`` and ``actualPrice``. -2013 when absent."""
    from execution_app.exchange.paper_engine.algo import algo_query

    return algo_query(params, market=market, account=account)


def engine_cancel_algo_order(params: Params, *, market: str = "usdm", account: str = DEFAULT_ACCOUNT) -> dict[str, Any]:
    """DELETE /fapi/v1/algoOrder by algoId or clientAlgoId: ``{algoId,
    clientAlgoId, code: "200", msg: "success"}``. -2011 when unknown or no
    longer NEW."""
    from execution_app.exchange.paper_engine.algo import algo_cancel

    return algo_cancel(params, market=market, account=account)


def engine_open_algo_orders(
    params: Params, *, market: str = "usdm", account: Account = DEFAULT_ACCOUNT
) -> list[dict[str, Any]]:
    """GET /fapi/v1/openAlgoOrders (``symbol`` optional): algo orders still NEW."""
    from execution_app.exchange.paper_engine.algo import algo_open

    return algo_open(params, market=market, account=account)


def engine_cancel_all_algo(params: Params, *, market: str = "usdm", account: str = DEFAULT_ACCOUNT) -> dict[str, Any]:
    """DELETE /fapi/v1/algoOpenOrders (``symbol`` mandatory): ``{"code": 200,
    "msg": "The operation of cancel all open order is done."}``."""
    from execution_app.exchange.paper_engine.algo import algo_cancel_all

    return algo_cancel_all(params, market=market, account=account)


# --- account ------------------------------------------------------------------


def engine_account(params: Params, *, market: str, account: Account = DEFAULT_ACCOUNT) -> dict[str, Any]:
    """GET /api/v3/account (spot: ``balances [{asset, free, locked}]`` and the
    commission fields; ``omitZeroBalances`` honoured) or GET /fapi/v2/account
    (futures: wallet, margin and unrealized P&L totals, ``assets`` and
    ``positions``; see binance.md 3.5)."""
    from execution_app.exchange.paper_engine.account import account_info

    return account_info(params, market=market, account=account)


def engine_account_row(*, market: str, account: str = DEFAULT_ACCOUNT) -> PaperAccount:
    """The account's row (created on first use), to pass as ``account`` to the
    read functions within one adapter call so each does not look it up again.
    Not a Binance endpoint; never cache it across calls (locks read afresh)."""
    from execution_app.exchange.paper_engine.ledger import account_get

    return account_get(account, market)


def engine_my_trades(params: Params, *, market: str, account: Account = DEFAULT_ACCOUNT) -> list[dict[str, Any]]:
    """GET /api/v3/myTrades (``{symbol, id, orderId, orderListId, price, qty,
    quoteQty, commission, commissionAsset, time, isBuyer, isMaker,
    isBestMatch}``) or GET /fapi/v1/userTrades (``{buyer, commission,
    commissionAsset, id, maker, orderId, price, qty, quoteQty, realizedPnl,
    side, positionSide, symbol, time}``). ``symbol`` mandatory; ``orderId``,
    ``fromId``, ``limit`` honoured."""
    from execution_app.exchange.paper_engine.account import trades_list

    return trades_list(params, market=market, account=account)


def engine_fund(*, market: str, asset: str, amount: Decimal, account: str = DEFAULT_ACCOUNT) -> Decimal:
    """Deposit (or, negative, withdraw) ``amount`` of ``asset``; returns the new
    free balance. Not a Binance endpoint: for tests, demos and seeding a spot
    account with base assets to sell. Futures hold USDT only."""
    from execution_app.exchange.paper_engine.account import account_fund

    return account_fund(market=market, asset=asset, amount=amount, account=account)


# --- futures settings and positions -------------------------------------------


def engine_change_leverage(params: Params, *, market: str = "usdm", account: str = DEFAULT_ACCOUNT) -> dict[str, Any]:
    """POST /fapi/v1/leverage (symbol, leverage 1..125): ``{leverage,
    maxNotionalValue, symbol}``. -4028 for an invalid leverage; -2019 when an
    open position's margin at the new leverage exceeds what is available."""
    from execution_app.exchange.paper_engine.leverage import leverage_change

    return leverage_change(params, market=market, account=account)


def engine_change_margin_type(
    params: Params, *, market: str = "usdm", account: str = DEFAULT_ACCOUNT
) -> dict[str, Any]:
    """POST /fapi/v1/marginType (symbol, marginType ISOLATED|CROSSED): ``{"code":
    200, "msg": "success"}``. -4046 "No need to change margin type." when
    unchanged, -4047 with open orders, -4048 with a position."""
    from execution_app.exchange.paper_engine.leverage import margin_type_change

    return margin_type_change(params, market=market, account=account)


def engine_get_position_mode(
    params: Params, *, market: str = "usdm", account: Account = DEFAULT_ACCOUNT
) -> dict[str, Any]:
    """GET /fapi/v1/positionSide/dual: ``{"dualSidePosition": bool}``."""
    from execution_app.exchange.paper_engine.leverage import position_mode_get

    return position_mode_get(params, market=market, account=account)


def engine_change_position_mode(
    params: Params, *, market: str = "usdm", account: str = DEFAULT_ACCOUNT
) -> dict[str, Any]:
    """POST /fapi/v1/positionSide/dual (dualSidePosition "true"|"false"):
    ``{"code": 200, "msg": "success"}``. -4059 when unchanged, -4067 with open
    orders, -4068 with a position."""
    from execution_app.exchange.paper_engine.leverage import position_mode_change

    return position_mode_change(params, market=market, account=account)


def engine_position_risk(
    params: Params, *, market: str = "usdm", account: Account = DEFAULT_ACCOUNT, version: int = 3
) -> list[dict[str, Any]]:
    """GET /fapi/v3/positionRisk (``version=3``: symbols with a position or
    open orders) or /fapi/v2/positionRisk (``version=2``: every symbol with a
    position or settings, with ``leverage`` and ``marginType``). ``symbol``
    optional. Liquidation is not simulated: ``liquidationPrice`` is "0"."""
    from execution_app.exchange.paper_engine.account import position_risk

    return position_risk(params, market=market, account=account, version=version)


# --- market data --------------------------------------------------------------


def engine_ticker_price(params: Params, *, market: str) -> Any:
    """GET /api/v3/ticker/price or /fapi/v2/ticker/price: ``{symbol, price}``
    (futures adds ``time``) for ``symbol``, or a list for every snapshot symbol
    with a known price. -1121 for an unknown symbol."""
    from execution_app.exchange.paper_engine.market import ticker_price

    return ticker_price(params, market=market)


def engine_depth(params: Params, *, market: str) -> dict[str, Any]:
    """GET /api/v3/depth or /fapi/v1/depth (symbol, limit): the synthetic book
    the engine matches against right now, ``{lastUpdateId, bids: [[price,
    qty]], asks: [[price, qty]]}`` best first (futures adds ``E`` and ``T``).
    Both sides start at the last price. Empty without a known price."""
    from execution_app.exchange.paper_engine.market import depth

    return depth(params, market=market)


def engine_exchange_info(*, market: str) -> dict[str, Any]:
    """GET /api/v3/exchangeInfo or /fapi/v1/exchangeInfo: the bundled snapshot
    the engine's filters come from, with ``serverTime`` set to now."""
    from execution_app.exchange.paper_engine.market import exchange_info

    return exchange_info(market=market)


def engine_on_price(symbol: str, price: Decimal | str, *, market: str | None = None) -> list[str]:
    """The market moved: ``symbol`` now trades at ``price``. In every account
    (of ``market``, or both markets when None), fills resting limit orders the
    price reached (maker fee, at their limit price, up to the book's depth per
    tick, so big orders fill over several ticks), and triggers stop and
    take-profit orders and futures algo orders whose trigger it crossed.
    Returns the client order ids (and client algo ids) whose state changed, in
    the order they changed, so callers can refresh them. Each call is one
    tick: the book is rebuilt, so a resting order reached by the price takes
    up to one book's depth at its price per call (call it once per tick).
    Called by the Celery task ``execution.paper_on_price`` after each tick of
    the market feed."""
    from execution_app.exchange.paper_engine.triggers import on_price

    return on_price(symbol, Decimal(str(price)), market=market)
