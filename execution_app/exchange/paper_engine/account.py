"""Account, trades, deposits and futures position risk, in Binance's shapes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from execution_app.exchange.paper_engine.errors import PaperBinanceError
from execution_app.exchange.paper_engine.ledger import (
    USDT,
    ZERO,
    account_read,
    account_lock,
    balance_credit,
    balance_row,
    now_ms,
)
from execution_app.exchange.paper_engine.matching import fee_rate
from execution_app.exchange.paper_engine.params import (
    Params,
    bool_param,
    int_param,
    limit_param,
    optional_symbol,
    require_market,
    symbol_param,
)
from execution_app.exchange.paper_engine.positions import margin_state, mark_price, symbol_setting_peek
from execution_app.exchange.paper_engine.shapes import fut_num, futures_trade, ms, spot_num, spot_trade
from execution_app.models_paper import (
    PAPER_OPEN_STATUSES,
    PaperAccount,
    PaperOrder,
    PaperPosition,
    PaperSymbolSetting,
    PaperTrade,
)

# Maintenance margin is reported (first Binance bracket) but nothing is liquidated.
MAINT_MARGIN_RATE = Decimal("0.004")


def max_notional(leverage: int) -> Decimal:
    """A simple stand-in for Binance's leverage brackets: more leverage, less room."""
    return Decimal(1_000_000_000) / Decimal(leverage)


def account_fund(*, market: str, asset: str, amount: Decimal, account: str) -> Decimal:
    require_market(market)
    asset = asset.upper()
    if market == "usdm" and asset != USDT:
        raise ValueError("futures paper accounts hold USDT only")
    with transaction.atomic():
        locked = account_lock(account, market)
        row = balance_row(locked, asset)
        if row.free + amount < 0:
            raise PaperBinanceError(-2010, "Account has insufficient balance for requested action.")
        balance_credit(locked, asset, amount)
        row.refresh_from_db()
        return row.free


def _commission_bps(maker: bool) -> int:
    return int(fee_rate(maker=maker) * 10000)


def _spot_account(account: PaperAccount, params: Params) -> dict[str, Any]:
    omit_zero = bool_param(params, "omitZeroBalances")
    balances = [
        {"asset": row.asset, "free": spot_num(row.free), "locked": spot_num(row.locked)}
        for row in account.balances.order_by("asset")
        if not (omit_zero and row.free == 0 and row.locked == 0)
    ]
    return {
        "makerCommission": _commission_bps(True),
        "takerCommission": _commission_bps(False),
        "buyerCommission": 0,
        "sellerCommission": 0,
        "commissionRates": {
            "maker": spot_num(fee_rate(maker=True)),
            "taker": spot_num(fee_rate(maker=False)),
            "buyer": spot_num(ZERO),
            "seller": spot_num(ZERO),
        },
        "canTrade": True,
        "canWithdraw": True,
        "canDeposit": True,
        "brokered": False,
        "requireSelfTradePrevention": False,
        "preventSor": False,
        "updateTime": now_ms(),
        "accountType": "SPOT",
        "balances": balances,
        "permissions": ["SPOT"],
        "uid": account.pk,
    }


def _figures(pos: PaperPosition, setting: PaperSymbolSetting) -> dict[str, Decimal]:
    mark = mark_price(pos.symbol, pos.entry_price)
    notional = pos.amount * mark
    initial = abs(notional) / setting.leverage
    return {
        "mark": mark,
        "notional": notional,
        "unrealized": (mark - pos.entry_price) * pos.amount,
        "initial": initial,
        "maint": abs(notional) * MAINT_MARGIN_RATE,
        "isolated": initial if setting.margin_type == "ISOLATED" else ZERO,
    }


def _order_margin(account: PaperAccount, symbol: str, setting: PaperSymbolSetting) -> Decimal:
    total = ZERO
    for order in PaperOrder.objects.filter(account=account, symbol=symbol, status__in=PAPER_OPEN_STATUSES,
                                           reduce_only=False, close_position=False):
        basis = order.price or order.stop_price or mark_price(symbol, ZERO)
        total += order.remaining * basis / setting.leverage
    return total


def _positions(account: PaperAccount) -> list[PaperPosition]:
    """Every position row plus an empty one for each symbol with settings only."""
    rows = list(PaperPosition.objects.filter(account=account).order_by("symbol", "position_side"))
    sides = ("LONG", "SHORT") if account.dual_side_position else ("BOTH",)
    known = {(row.symbol, row.position_side) for row in rows}
    for setting in account.symbol_settings.all():
        for side in sides:
            if (setting.symbol, side) not in known:
                rows.append(PaperPosition(account=account, symbol=setting.symbol, position_side=side))
    wanted_sides = set(sides)
    return sorted((r for r in rows if r.position_side in wanted_sides or r.amount != 0),
                  key=lambda r: (r.symbol, r.position_side))


def _futures_account(account: PaperAccount) -> dict[str, Any]:
    state = margin_state(account)
    wallet = state.wallet
    positions = []
    total_maint = ZERO
    for pos in _positions(account):
        setting = symbol_setting_peek(account, pos.symbol)
        fig = _figures(pos, setting)
        total_maint += fig["maint"]
        order_margin = _order_margin(account, pos.symbol, setting)
        positions.append({
            "symbol": pos.symbol, "initialMargin": fut_num(fig["initial"] + order_margin),
            "maintMargin": fut_num(fig["maint"]), "unrealizedProfit": fut_num(fig["unrealized"]),
            "positionInitialMargin": fut_num(fig["initial"]), "openOrderInitialMargin": fut_num(order_margin),
            "leverage": str(setting.leverage), "isolated": setting.margin_type == "ISOLATED",
            "entryPrice": fut_num(pos.entry_price), "maxNotional": fut_num(max_notional(setting.leverage)),
            "bidNotional": "0", "askNotional": "0", "positionSide": pos.position_side,
            "positionAmt": fut_num(pos.amount), "updateTime": ms(pos.updated_at) if pos.pk else 0,
        })
    available = state.available
    margin_balance = wallet + state.unrealized
    initial = state.position_margin + state.order_margin
    asset = {
        "asset": USDT, "walletBalance": fut_num(wallet), "unrealizedProfit": fut_num(state.unrealized),
        "marginBalance": fut_num(margin_balance), "maintMargin": fut_num(total_maint),
        "initialMargin": fut_num(initial), "positionInitialMargin": fut_num(state.position_margin),
        "openOrderInitialMargin": fut_num(state.order_margin), "crossWalletBalance": fut_num(wallet),
        "crossUnPnl": fut_num(state.cross_unrealized), "availableBalance": fut_num(available),
        "maxWithdrawAmount": fut_num(max(available, ZERO)), "marginAvailable": True, "updateTime": now_ms(),
    }
    return {
        "feeTier": 0, "feeBurn": False, "canTrade": True, "canDeposit": True, "canWithdraw": True,
        "updateTime": 0, "multiAssetsMargin": False, "tradeGroupId": -1,
        "totalInitialMargin": fut_num(initial), "totalMaintMargin": fut_num(total_maint),
        "totalWalletBalance": fut_num(wallet), "totalUnrealizedProfit": fut_num(state.unrealized),
        "totalMarginBalance": fut_num(margin_balance), "totalPositionInitialMargin": fut_num(state.position_margin),
        "totalOpenOrderInitialMargin": fut_num(state.order_margin), "totalCrossWalletBalance": fut_num(wallet),
        "totalCrossUnPnl": fut_num(state.cross_unrealized), "availableBalance": fut_num(available),
        "maxWithdrawAmount": fut_num(max(available, ZERO)), "assets": [asset], "positions": positions,
    }


def account_info(params: Params, *, market: str, account: str | PaperAccount) -> dict[str, Any]:
    require_market(market)
    row = account_read(account, market)
    return _spot_account(row, params) if market == "spot" else _futures_account(row)


def trades_list(params: Params, *, market: str, account: str | PaperAccount) -> list[dict[str, Any]]:
    require_market(market)
    rules = symbol_param(params, market=market)
    found = PaperTrade.objects.filter(account=account_read(account, market), symbol=rules.symbol)
    order_id, from_id = int_param(params, "orderId"), int_param(params, "fromId")
    if order_id is not None:
        found = found.filter(order_id=order_id)
    if from_id is not None:
        found = found.filter(pk__gte=from_id)
    limit = limit_param(params, default=500, maximum=1000)
    shape = spot_trade if market == "spot" else futures_trade
    return [shape(trade) for trade in found.select_related("order").order_by("pk")[:limit]]


def position_risk(params: Params, *, market: str, account: str | PaperAccount, version: int) -> list[dict[str, Any]]:
    if market != "usdm":
        raise PaperBinanceError(-1121, "Invalid symbol.")
    row = account_read(account, market)
    rules = optional_symbol(params, market=market)
    with_orders = set(
        PaperOrder.objects.filter(account=row, status__in=PAPER_OPEN_STATUSES).values_list("symbol", flat=True)
    )
    answer = []
    for pos in _positions(row):
        if rules is not None and pos.symbol != rules.symbol:
            continue
        if version >= 3 and pos.amount == 0 and pos.symbol not in with_orders:
            continue  # v3 lists only symbols with a position or open orders
        setting = symbol_setting_peek(row, pos.symbol)
        fig = _figures(pos, setting)
        common = {
            "symbol": pos.symbol, "positionSide": pos.position_side, "positionAmt": fut_num(pos.amount),
            "entryPrice": fut_num(pos.entry_price), "breakEvenPrice": fut_num(pos.entry_price),
            "markPrice": fut_num(fig["mark"]), "unRealizedProfit": fut_num(fig["unrealized"]),
            "liquidationPrice": "0", "isolatedMargin": fut_num(fig["isolated"]),
            "notional": fut_num(fig["notional"]), "isolatedWallet": fut_num(fig["isolated"]),
            "updateTime": ms(pos.updated_at) if pos.pk else 0,
        }
        if version >= 3:
            order_margin = _order_margin(row, pos.symbol, setting)
            common.update({
                "marginAsset": USDT, "initialMargin": fut_num(fig["initial"] + order_margin),
                "maintMargin": fut_num(fig["maint"]), "positionInitialMargin": fut_num(fig["initial"]),
                "openOrderInitialMargin": fut_num(order_margin), "adl": 0, "bidNotional": "0",
                "askNotional": "0",
            })
        else:
            common.update({
                "marginType": "isolated" if setting.margin_type == "ISOLATED" else "cross",
                "isAutoAddMargin": "false", "leverage": str(setting.leverage),
                "maxNotionalValue": fut_num(max_notional(setting.leverage)),
            })
        answer.append(common)
    return answer
