"""Under a backlog, the worker that finishes a signal executes its symbol's next
accepted signals itself, in arrival order, instead of queueing a hand-on
behind every other queued task; the tasks it overtook return after one cheap
read, without taking the portfolio lock."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from execution_app.models import Order, OrderStatus
from execution_app.services.pipeline import signal_execute, symbol_carry_on
from signals_app.models import Signal, SignalStatus
from tests.execution_app.order_helpers import accepted_signal, configure
from tests.factories import StrategyWithKey

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("prices")]

MANY_ENTRIES = {
    "duplicate_signal_window_seconds": 0,
    "max_orders_per_minute": 1200,
    "max_daily_trades": 1000,
    "max_portfolio_exposure_pct": 1000,
}


def backlog(strategy: StrategyWithKey, count: int) -> list[Signal]:
    configure(**MANY_ENTRIES)
    return [accepted_signal(strategy.strategy, symbol="BTCUSDT", quantity=Decimal("0.002")) for _ in range(count)]


def entry_orders(signals: list[Signal]) -> list[Order]:
    return list(Order.objects.filter(signal__in=signals, role="entry").order_by("id"))


def test_one_task_executes_the_whole_backlog_in_arrival_order(strategy: StrategyWithKey) -> None:
    signals = backlog(strategy, 5)

    signal_execute(signal_id=signals[0].pk)  # no worker runs: only this call

    statuses = set(Signal.objects.filter(pk__in=[s.pk for s in signals]).values_list("status", flat=True))
    assert statuses == {SignalStatus.ORDERED}
    orders = entry_orders(signals)
    assert [o.signal_id for o in orders] == [s.pk for s in signals]  # arrival order
    assert {o.status for o in orders} == {OrderStatus.FILLED}  # each filled before the next was decided


def test_an_overtaken_task_returns_after_a_cheap_read_without_the_portfolio_lock(strategy: StrategyWithKey) -> None:
    signals = backlog(strategy, 3)
    signal_execute(signal_id=signals[0].pk)
    orders_before = Order.objects.count()

    with CaptureQueriesContext(connection) as queries:
        first_order = signal_execute(signal_id=signals[2].pk)  # its own task, arriving late

    assert first_order is not None and first_order.signal_id == signals[2].pk
    assert Order.objects.count() == orders_before
    sql = [q["sql"] for q in queries.captured_queries]
    assert not any("pg_advisory_xact_lock" in s for s in sql), sql
    assert len(sql) <= 5, sql


def test_a_signal_behind_earlier_work_waits_without_the_portfolio_lock(strategy: StrategyWithKey) -> None:
    signals = backlog(strategy, 2)

    with CaptureQueriesContext(connection) as queries:
        assert signal_execute(signal_id=signals[1].pk) is None  # the earlier one is still accepted

    assert Signal.objects.get(pk=signals[1].pk).status == SignalStatus.ACCEPTED
    assert not any("pg_advisory_xact_lock" in q["sql"] for q in queries.captured_queries)


@pytest.mark.usefixtures("eager_pipeline")
def test_past_its_limit_the_carry_on_hands_the_rest_to_the_queue(strategy: StrategyWithKey) -> None:
    signals = backlog(strategy, 4)

    symbol_carry_on(symbol="BTCUSDT", limit=1)  # one here, then a queued task (run eagerly) takes the rest

    assert set(Signal.objects.filter(pk__in=[s.pk for s in signals]).values_list("status", flat=True)) == {
        SignalStatus.ORDERED
    }
    assert [o.signal_id for o in entry_orders(signals)] == [s.pk for s in signals]
