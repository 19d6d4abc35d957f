"""The paper engine is one exchange for every process: concurrent callers are
serialised per account (row lock), so funds are never spent twice, and the
Celery task execution.paper_on_price moves the market for all of them."""

from __future__ import annotations

import threading
from decimal import Decimal as D
from typing import Any

import pytest
from celery import current_app
from django.db import connection

from execution_app.exchange.paper_engine import (
    PaperBinanceError,
    engine_account,
    engine_new_order,
    engine_query_order,
)
from execution_app.models_paper import PaperAccount, PaperOrder
from petrosa.core.market import price_set


def test_two_orders_racing_for_the_same_funds_place_exactly_one(transactional_db: Any, settings: Any) -> None:
    settings.PAPER_STARTING_EQUITY = "100000"
    price_set(symbol="BTCUSDT", price=D("50000"), source="test")
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def place(index: int) -> None:
        try:
            barrier.wait()
            engine_new_order({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                              "quantity": "1.5", "price": "40000", "newClientOrderId": f"race-{index}"},
                             market="spot", account="racer")  # each locks 60,000 of 100,000
            outcomes.append("placed")
        except PaperBinanceError as exc:
            outcomes.append(str(exc.code))
        finally:
            connection.close()

    threads = [threading.Thread(target=place, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["-2010", "-2010", "-2010", "placed"]
    assert PaperAccount.objects.filter(name="racer").count() == 1  # created once despite the race
    usdt = engine_account({"omitZeroBalances": "true"}, market="spot", account="racer")["balances"]
    assert usdt == [{"asset": "USDT", "free": "40000.00000000", "locked": "60000.00000000"}]
    assert PaperOrder.objects.filter(account__name="racer").count() == 1


def test_accounts_are_separate(db: Any) -> None:
    price_set(symbol="BTCUSDT", price=D("50000"), source="test")
    engine_new_order({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.1"}, market="usdm",
                     account="alice")
    assert engine_account({}, market="usdm", account="alice")["positions"][0]["positionAmt"] == "0.1"
    assert engine_account({}, market="usdm", account="bob")["positions"] == []


@pytest.mark.usefixtures("eager_pipeline")
def test_the_on_price_task_fills_resting_orders(db: Any) -> None:
    price_set(symbol="BTCUSDT", price=D("50000"), source="test")
    engine_new_order({"symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC",
                      "quantity": "0.01", "price": "50500", "newClientOrderId": "offer"}, market="usdm")
    result = current_app.tasks["execution.paper_on_price"].apply(args=("BTCUSDT", "50600")).get()
    assert result == ["offer"]
    assert engine_query_order({"symbol": "BTCUSDT", "origClientOrderId": "offer"}, market="usdm")["status"] == \
        "FILLED"
