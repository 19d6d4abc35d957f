"""Fills booked at the same moment by several threads add up exactly as if
booked one by one; the UTC day is opened once, from the book before any of
them; equity and today's P&L are worked out by hand."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal as D

import pytest
from django.db import connection

from petrosa.core.market import price_set
from petrosa.core.models import AuditEvent
from risk_app.models import PortfolioDay, Position
from risk_app.services.portfolio import portfolio_value
from risk_app.services.positions import position_apply_fill

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 6  # plus the main thread's connection, within a process's pool (DB_POOL_MAX_SIZE=8)


def all_at_once(fills: list[tuple[str, str, D, D, D]]) -> None:
    barrier = threading.Barrier(len(fills))

    def book(fill: tuple[str, str, D, D, D]) -> None:
        symbol, side, quantity, price, fee = fill
        try:
            barrier.wait(timeout=20)
            position_apply_fill(symbol=symbol, side=side, quantity=quantity, price=price, fee_quote=fee)
        finally:
            connection.close()

    with ThreadPoolExecutor(len(fills)) as pool:
        list(pool.map(book, fills))


def test_concurrent_buys_on_one_symbol_add_up_exactly() -> None:
    prices = [D("50000") + 100 * i for i in range(THREADS)]  # 50000 … 50500
    all_at_once([("BTCUSDT", "BUY", D("0.002"), price, D("0.1")) for price in prices])

    long = Position.objects.get(symbol="BTCUSDT", side="LONG")
    assert long.quantity == D("0.012")
    assert long.avg_entry_price == sum(prices) / THREADS  # equal sizes: the plain mean, 50250
    assert long.fees_paid == D("0.6")
    assert long.realized_pnl == D("-0.6")  # fees are realized when paid
    assert AuditEvent.objects.filter(kind="position.updated").count() == THREADS


def test_concurrent_fills_on_many_symbols_open_the_day_once_from_the_book_before_them() -> None:
    symbols = ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT", "ADAUSDT"]
    all_at_once([(symbol, "BUY", D("1"), D("100"), D("1")) for symbol in symbols])

    day = PortfolioDay.objects.get()
    assert day.start_equity == D("100000") and day.start_realized_pnl == 0
    assert AuditEvent.objects.filter(kind="portfolio.day_opened").count() == 1
    for symbol in symbols:
        price_set(symbol=symbol, price=D("90"), source="test")  # every position 10 down
    value = portfolio_value()
    assert value.realized_pnl == D("-6")  # six fees of 1
    assert value.unrealized_pnl == D("-60")
    assert value.equity == D("100000") - 6 - 60
    assert value.exposure == 6 * D("90")
    assert value.equity - day.start_equity == D("-66")  # today's P&L


def test_a_short_is_marked_against_the_market_and_falls_back_to_its_last_fill() -> None:
    position_apply_fill(symbol="ETHUSDT", side="SELL", quantity=D("2"), price=D("3000"), fee_quote=D("0"))
    # No market price for ETHUSDT yet: marked at the last fill, so no unrealized P&L.
    assert portfolio_value().unrealized_pnl == 0
    price_set(symbol="ETHUSDT", price=D("2900"), source="test")
    assert portfolio_value().unrealized_pnl == D("200")  # short 2 from 3000, now 2900
