"""Rows committed but never handed on (broker down, worker killed) are re-enqueued
by the sweeper and then processed exactly once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from configs_app.services import config_resolve
from execution_app.exchange.base import OrderRequest
from execution_app.exchange.paper import PaperExchange
from execution_app.models import Fill, Order, OrderStatus, PaperOrder
from execution_app.services import pipeline
from execution_app.services.orders import order_reconcile
from execution_app.services.pipeline import signal_execute
from execution_app.services.sweep import orders_requeue_stuck
from risk_app.models import RiskDecision
from signals_app.models import Signal, SignalStatus
from signals_app.services.status import signal_transition
from signals_app.services.sweep import signals_requeue_stuck
from tests.factories import SignalFactory, StrategyWithKey

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager_pipeline", "prices")]


def age(signal: Signal, seconds: int = 60) -> None:
    Signal.objects.filter(pk=signal.pk).update(updated_at=timezone.now() - timedelta(seconds=seconds))


def test_a_received_signal_left_behind_is_processed(strategy: StrategyWithKey) -> None:
    signal = SignalFactory(strategy=strategy.strategy, quantity=Decimal("0.01"))
    age(signal)
    assert signals_requeue_stuck(older_than_seconds=15) == 1
    signal.refresh_from_db()
    assert signal.status == SignalStatus.ORDERED
    assert Order.objects.get(signal=signal, role="entry").status == OrderStatus.FILLED
    # A second sweep finds nothing, and re-running the stage changes nothing.
    age(signal)
    assert signals_requeue_stuck(older_than_seconds=15) == 0
    assert Fill.objects.count() == 1


def test_a_fresh_signal_is_left_to_its_own_task(strategy: StrategyWithKey) -> None:
    SignalFactory(strategy=strategy.strategy)
    assert signals_requeue_stuck(older_than_seconds=15) == 0


def test_a_pending_order_left_behind_is_submitted_once(strategy: StrategyWithKey) -> None:

    signal = SignalFactory(strategy=strategy.strategy, quantity=Decimal("0.01"))
    signal_transition(signal=signal, to=SignalStatus.ACCEPTED, reason="test")
    # Decide without submitting, as if the worker died right after the commit.
    with transaction.atomic():
        pipeline._decide(Signal.objects.select_for_update().get(pk=signal.pk))
    order = Order.objects.get(signal=signal, role="entry")
    assert order.status == OrderStatus.PENDING
    Order.objects.filter(pk=order.pk).update(updated_at=timezone.now() - timedelta(seconds=60))
    assert orders_requeue_stuck(older_than_seconds=15) == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.FILLED
    # Redelivery of the execute task after the fact is harmless.
    signal_execute(signal_id=signal.pk)
    assert Fill.objects.filter(order=order).count() == 1
    assert config_resolve(symbol="BTCUSDT")["enabled"] is True


def _submitting_order(strategy: StrategyWithKey, client_order_id: str) -> Order:
    signal = SignalFactory(strategy=strategy.strategy, quantity=Decimal("0.01"))
    decision = RiskDecision.objects.create(signal=signal, approved=True, reason_code="approved")
    return Order.objects.create(
        signal=signal, decision=decision, client_order_id=client_order_id, symbol="BTCUSDT", side="BUY",
        position_side="LONG", quantity=Decimal("0.01"), status=OrderStatus.SUBMITTING,
        submitted_at=timezone.now() - timedelta(minutes=5),
    )  # fmt: skip


def test_an_order_stuck_in_submitting_is_resolved_by_lookup_not_resend(strategy: StrategyWithKey) -> None:
    order = _submitting_order(strategy, "pt-test-1")
    # The exchange got it, but the worker died before recording the result.
    PaperExchange().place_order(
        OrderRequest(client_order_id="pt-test-1", symbol="BTCUSDT", side="BUY", order_type="MARKET",
                     quantity=Decimal("0.01"))
    )  # fmt: skip
    order_reconcile(order_id=order.pk)
    order.refresh_from_db()
    assert order.status == OrderStatus.FILLED and order.status_reason == "exchange_report"
    assert PaperOrder.objects.filter(client_order_id="pt-test-1").count() == 1
    assert Fill.objects.filter(order=order).count() == 1


def test_an_order_the_exchange_never_saw_expires_and_is_not_resent(strategy: StrategyWithKey) -> None:
    order = _submitting_order(strategy, "pt-test-2")
    order_reconcile(order_id=order.pk)
    order.refresh_from_db()
    assert (order.status, order.status_reason) == (OrderStatus.EXPIRED, "never_reached_exchange")
    assert not PaperOrder.objects.filter(client_order_id="pt-test-2").exists()
