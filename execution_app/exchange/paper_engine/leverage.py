"""Futures account settings: leverage and margin type per symbol, position mode."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from execution_app.exchange.paper_engine.account import max_notional
from execution_app.exchange.paper_engine.errors import PaperBinanceError
from execution_app.exchange.paper_engine.ledger import account_lock, account_read
from execution_app.exchange.paper_engine.params import (
    Params,
    bool_param,
    int_param,
    mandatory,
    symbol_param,
)
from execution_app.exchange.paper_engine.positions import (
    MAX_LEVERAGE,
    has_open_exposure,
    margin_state,
    symbol_setting,
)
from execution_app.models_paper import PaperAccount, PaperPosition

SUCCESS = {"code": 200, "msg": "success"}


def _usdm(market: str) -> None:
    if market != "usdm":
        raise PaperBinanceError(-1121, "Invalid symbol.")


def leverage_change(params: Params, *, market: str, account: str) -> dict[str, Any]:
    _usdm(market)
    rules = symbol_param(params, market=market)
    mandatory(params, "leverage")
    leverage = int_param(params, "leverage")
    assert leverage is not None
    if not 1 <= leverage <= MAX_LEVERAGE:
        raise PaperBinanceError(-4028, f"Leverage {leverage} is not valid")
    with transaction.atomic():
        locked = account_lock(account, market)
        setting = symbol_setting(locked, rules.symbol)
        positions = PaperPosition.objects.filter(account=locked, symbol=rules.symbol).exclude(amount=0)
        if leverage < setting.leverage and positions.exists():
            if setting.margin_type == "ISOLATED":
                raise PaperBinanceError(
                    -4161, "Leverage reduction is not supported in Isolated Margin Mode with open positions"
                )
            before = margin_state(locked)
            setting.leverage = leverage
            setting.save(update_fields=["leverage"])
            if margin_state(locked).available < 0 <= before.available:
                raise PaperBinanceError(-2019, "Margin is insufficient.")  # rolls the change back
        else:
            setting.leverage = leverage
            setting.save(update_fields=["leverage"])
        return {"leverage": leverage, "maxNotionalValue": str(max_notional(leverage)), "symbol": rules.symbol}


def margin_type_change(params: Params, *, market: str, account: str) -> dict[str, Any]:
    _usdm(market)
    rules = symbol_param(params, market=market)
    margin_type = mandatory(params, "marginType").upper()
    if margin_type == "CROSS":
        margin_type = "CROSSED"
    if margin_type not in ("ISOLATED", "CROSSED"):
        raise PaperBinanceError(
            -1100, "Illegal characters found in parameter 'marginType'; legal range is 'ISOLATED|CROSSED'."
        )
    with transaction.atomic():
        locked = account_lock(account, market)
        setting = symbol_setting(locked, rules.symbol)
        if setting.margin_type == margin_type:
            raise PaperBinanceError(-4046, "No need to change margin type.")
        open_orders, open_position = has_open_exposure(locked, rules.symbol)
        if open_orders:
            raise PaperBinanceError(-4047, "Margin type cannot be changed if there exists open orders.")
        if open_position:
            raise PaperBinanceError(-4048, "Margin type cannot be changed if there exists position.")
        setting.margin_type = margin_type
        setting.save(update_fields=["margin_type"])
        return dict(SUCCESS)


def position_mode_get(params: Params, *, market: str, account: str | PaperAccount) -> dict[str, Any]:
    _usdm(market)
    return {"dualSidePosition": account_read(account, market).dual_side_position}


def position_mode_change(params: Params, *, market: str, account: str) -> dict[str, Any]:
    _usdm(market)
    mandatory(params, "dualSidePosition")
    dual = bool_param(params, "dualSidePosition")
    with transaction.atomic():
        locked = account_lock(account, market)
        if locked.dual_side_position == dual:
            raise PaperBinanceError(-4059, "No need to change position side.")
        open_orders, open_position = has_open_exposure(locked)
        if open_orders:
            raise PaperBinanceError(-4067, "Position side cannot be changed if there exists open orders.")
        if open_position:
            raise PaperBinanceError(-4068, "Position side cannot be changed if there exists position.")
        locked.dual_side_position = dual
        locked.save(update_fields=["dual_side_position"])
        return dict(SUCCESS)
