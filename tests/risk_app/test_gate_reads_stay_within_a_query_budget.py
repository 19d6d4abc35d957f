"""The gate's decision on an entry and the booking of a fill cost a fixed number of
database round trips, however many positions are open or closed: the book is one
statement (today's start-of-day row, open positions marked to market in SQL, flat
positions as one sum, reservations), the count rules share one query, and a fill
locks and reads each position row in one query.

Budgets, warm path (the day is open and the risk state exists, as in a running system):
  entry decision: SAVEPOINT, portfolio lock, risk state, book, counts, decision INSERT,
                  audit INSERT, RELEASE = 8 (was 12)
  entry fill:     SAVEPOINT, day, symbol lock, the two position rows (each locked and read
                  in one query), UPDATE, audit INSERT, day + book for the breaker, RELEASE = 9 (was 14)
"""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from configs_app.services import config_resolve
from risk_app.intent import TradeIntent
from risk_app.models import Position, RiskDecision
from risk_app.selectors import _book_rows
from risk_app.services.gate import risk_evaluate
from risk_app.services.positions import position_apply_fill
from tests.factories import SignalFactory, StrategyWithKey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("prices")]

ENTRY_DECISION_BUDGET = 8
ENTRY_FILL_BUDGET = 9


def seed_positions(total: int) -> None:
    """Top up to `total` open positions and as many closed ones (flat rows that only carry realized P&L)."""
    have = Position.objects.filter(symbol__startswith="SEED", side="LONG").count()
    now = timezone.now()
    Position.objects.bulk_create(
        [Position(symbol=f"SEED{i:05d}USDT", side="LONG", quantity=D("0.001"), avg_entry_price=D("1"), opened_at=now)
         for i in range(have, total)]
        + [Position(symbol=f"SEED{i:05d}USDT", side="SHORT", quantity=D("0"), realized_pnl=D("-0.5"))
           for i in range(have, total)],
        batch_size=2000,
    )  # fmt: skip


def counted(queries: CaptureQueriesContext) -> int:
    """Round trips, without config reads: config_resolve's per-process memo serves those in a worker,
    but in this test process a config write rolled back by an earlier test can leave the memo bypassed."""
    return sum(1 for query in queries.captured_queries if "configs_app_tradingconfig" not in query["sql"])


def config() -> dict[str, Any]:
    values = config_resolve(symbol="ETHUSDT", side="LONG")
    values.update({"max_concurrent_positions": 1000, "max_daily_trades": 1000, "max_orders_per_minute": 1000})
    return values


def decide(strategy: StrategyWithKey, symbol: str) -> tuple[RiskDecision, int]:
    signal = SignalFactory(strategy=strategy.strategy, symbol=symbol)
    intent = TradeIntent(symbol=symbol, side="BUY", position_side="LONG", quantity=D("0.01"), price=D("3000"),
                         reduce_only=False)  # fmt: skip
    limits = config()
    with CaptureQueriesContext(connection) as queries:
        decision = risk_evaluate(signal=signal, intent=intent, config=limits)
    return decision, counted(queries)


def fill_entry() -> int:
    with CaptureQueriesContext(connection) as queries:
        position_apply_fill(symbol="ETHUSDT", side="BUY", quantity=D("0.01"), price=D("3000"), fee_quote=D("0.01"))
    return counted(queries)


def test_an_entry_decision_and_its_fill_cost_the_same_few_queries_with_1_or_1000_positions(
    strategy: StrategyWithKey,
) -> None:
    seed_positions(1)
    decide(strategy, "BTCUSDT")  # opens the day and creates the risk state: the cold path, once a day
    fill_entry()  # creates ETHUSDT's rows (LONG, and the flat SHORT a BUY first reduces)

    decision, decision_queries_at_1 = decide(strategy, "ETHUSDT")
    assert decision.approved, decision.reason_code
    fill_queries_at_1 = fill_entry()

    seed_positions(1000)
    decision, decision_queries_at_1000 = decide(strategy, "DOGEUSDT")
    assert decision.reason_code == "max_concurrent_positions_reached"  # the full book was judged
    fill_queries_at_1000 = fill_entry()

    assert decision_queries_at_1 <= ENTRY_DECISION_BUDGET
    assert decision_queries_at_1000 == decision_queries_at_1
    assert fill_queries_at_1 <= ENTRY_FILL_BUDGET
    assert fill_queries_at_1000 == fill_queries_at_1


def test_closed_positions_reach_the_gate_as_one_sum_not_as_rows(strategy: StrategyWithKey) -> None:
    seed_positions(1000)
    decide(strategy, "BTCUSDT")
    open_positions = Position.objects.filter(quantity__gt=0).count()

    rows = _book_rows(now=timezone.now())

    kinds = [row[0] for row in rows]
    assert kinds.count("closed") == 1
    assert kinds.count("open") == open_positions
    closed_sum = next(row[6] for row in rows if row[0] == "closed")
    assert closed_sum == D("-500")
