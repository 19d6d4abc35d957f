"""Market data endpoints: exchangeInfo from the bundled snapshot, last prices."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from execution_app.exchange.filters import load_snapshot
from execution_app.exchange.paper_engine.book import BookConfig, book_levels
from execution_app.exchange.paper_engine.errors import PaperBinanceError
from execution_app.exchange.paper_engine.ledger import now_ms
from execution_app.exchange.paper_engine.params import (
    Params,
    limit_param,
    optional,
    require_market,
    symbol_param,
)
from execution_app.exchange.paper_engine.shapes import fut_num, spot_num
from petrosa.core.errors import Unprocessable
from petrosa.core.market import price_latest

_DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@lru_cache(maxsize=None)
def _snapshot_text(market: str) -> str:
    return (_DATA_DIR / f"{market}_exchangeinfo.json").read_text(encoding="utf-8")


def exchange_info(*, market: str) -> dict[str, Any]:
    """The same recording the filters are parsed from, so clients and engine agree."""
    require_market(market)
    payload: dict[str, Any] = json.loads(_snapshot_text(market))
    payload["serverTime"] = now_ms()
    return payload


def _ticker(symbol: str, market: str) -> dict[str, Any] | None:
    try:
        price = price_latest(symbol)
    except Unprocessable:
        return None
    if market == "spot":
        return {"symbol": symbol, "price": spot_num(price)}
    return {"symbol": symbol, "price": fut_num(price), "time": now_ms()}


def ticker_price(params: Params, *, market: str) -> Any:
    require_market(market)
    if optional(params, "symbol") is not None:
        rules = symbol_param(params, market=market)
        answer = _ticker(rules.symbol, market)
        if answer is None:
            raise PaperBinanceError(-1121, "Invalid symbol.")
        return answer
    tickers = (_ticker(symbol, market) for symbol in sorted(load_snapshot(market)))
    return [t for t in tickers if t is not None]


def depth(params: Params, *, market: str) -> dict[str, Any]:
    """The synthetic book the engine matches against, as GET /api/v3/depth or
    /fapi/v1/depth shows a book. Both sides start at the last price."""
    require_market(market)
    rules = symbol_param(params, market=market)
    limit = limit_param(params, default=100, maximum=5000)
    number = spot_num if market == "spot" else fut_num
    try:
        last = price_latest(rules.symbol)
    except Unprocessable:
        bids: list[list[str]] = []
        asks: list[list[str]] = []
    else:
        config = BookConfig.from_settings()
        bids = [[number(level.price), number(level.quantity)]
                for level in book_levels(rules, last=last, taker_side="SELL", config=config)[:limit]]
        asks = [[number(level.price), number(level.quantity)]
                for level in book_levels(rules, last=last, taker_side="BUY", config=config)[:limit]]
    stamp = now_ms()
    answer: dict[str, Any] = {"lastUpdateId": stamp, "bids": bids, "asks": asks}
    if market == "usdm":
        answer.update({"E": stamp, "T": stamp})
    return answer
