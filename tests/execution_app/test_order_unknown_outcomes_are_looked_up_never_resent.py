"""An exchange call that ends badly never makes a second order:

* a timeout after the exchange accepted the order leaves it UNKNOWN; the lookup
  by client order id finds it and records its fill;
* a transient refusal (-1003 too many requests) is retried under the same client
  order id, at most max_retries times;
* an order the exchange proves it never received is sent again under the same id
  (bounded by max_retries), or expires when no retry is allowed.

The exchange is the paper exchange behind a fault injector."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D
from typing import Any

import pytest
from django.utils import timezone

from execution_app.exchange.base import ExchangeOrder, ExchangeOutcomeUnknown, ExchangeRejected, OrderRequest
from execution_app.exchange.paper import PaperExchange
from execution_app.models import Order, OrderStatus
from execution_app.models_paper import PaperOrder
from execution_app.services import orders as order_services
from execution_app.services.orders import order_reconcile
from execution_app.services.pipeline import signal_execute
from petrosa.core.models import AuditEvent
from tests.execution_app.order_helpers import accepted_signal, configure, orders_of
from tests.factories import StrategyWithKey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("prices")]
S = OrderStatus


class Faulty(PaperExchange):
    """``timeout_after_accept``: place the order, then answer as if the connection dropped.
    ``busy``: refuse the first N placements with -1003. ``lost``: drop the first N requests
    before they reach the exchange, as a timeout."""

    def __init__(self, *, timeout_after_accept: int = 0, busy: int = 0, lost: int = 0) -> None:
        super().__init__()
        self.timeout_after_accept, self.busy, self.lost = timeout_after_accept, busy, lost
        self.calls: list[str] = []

    def place_order(self, request: OrderRequest) -> ExchangeOrder:
        self.calls.append(request.client_order_id)
        if self.busy:
            self.busy -= 1
            raise ExchangeRejected(code=-1003, message="Too many requests.", reason="rate_limited")
        if self.lost:
            self.lost -= 1
            raise ExchangeOutcomeUnknown("read timed out")
        result = super().place_order(request)
        if self.timeout_after_accept:
            self.timeout_after_accept -= 1
            raise ExchangeOutcomeUnknown("read timed out after the exchange accepted")
        return result


def _install(monkeypatch: pytest.MonkeyPatch, exchange: Faulty) -> Faulty:
    monkeypatch.setattr(order_services, "venue", lambda: exchange)
    return exchange


def _entry(strategy: StrategyWithKey, **config: Any) -> Order:
    configure(risk_management_enabled=False, **config)
    signal = accepted_signal(strategy.strategy, quantity=D("0.01"))
    signal_execute(signal_id=signal.pk)
    return orders_of(signal)["entry"]


def _later(order: Order) -> None:
    """Move the claim back past the reconcile grace period."""
    Order.objects.filter(pk=order.pk).update(submitted_at=timezone.now() - timedelta(minutes=5))


def test_a_timeout_after_acceptance_is_resolved_by_lookup(strategy: StrategyWithKey,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    exchange = _install(monkeypatch, Faulty(timeout_after_accept=1))
    order = _entry(strategy)
    assert (order.status, order.status_reason) == (S.UNKNOWN, "outcome_unknown")
    assert order_reconcile(order_id=order.pk).status == S.UNKNOWN  # its worker may still be waiting: not yet
    _later(order)
    order = order_reconcile(order_id=order.pk)
    assert (order.status, order.executed_quantity, order.fills.count()) == (S.FILLED, D("0.01"), 1)
    assert exchange.calls == [order.client_order_id]  # looked up, never sent again
    assert PaperOrder.objects.filter(client_order_id=order.client_order_id).count() == 1


def test_a_transient_refusal_is_retried_under_the_same_id(strategy: StrategyWithKey,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    exchange = _install(monkeypatch, Faulty(busy=2))
    order = _entry(strategy, max_retries=2)
    assert order.status == S.FILLED
    assert exchange.calls == [order.client_order_id] * 3
    assert AuditEvent.objects.filter(kind="order.retry", entity_id=str(order.pk)).count() == 2


def test_transient_refusals_beyond_max_retries_reject_the_order(strategy: StrategyWithKey,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    exchange = _install(monkeypatch, Faulty(busy=5))
    order = _entry(strategy, max_retries=1)
    assert (order.status, order.status_reason, len(exchange.calls)) == (S.REJECTED, "rate_limited", 2)


def test_an_order_that_never_arrived_is_sent_again_under_its_id(strategy: StrategyWithKey,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    exchange = _install(monkeypatch, Faulty(lost=1))
    order = _entry(strategy, max_retries=1)
    assert order.status == S.UNKNOWN
    _later(order)
    order = order_reconcile(order_id=order.pk)
    assert (order.status, order.attempts) == (S.FILLED, 2)
    assert exchange.calls == [order.client_order_id] * 2
    reasons = AuditEvent.objects.filter(entity_id=str(order.pk), kind="order.pending").values_list("data__reason",
                                                                                                   flat=True)
    assert list(reasons) == ["not_on_exchange_resubmit"]


def test_with_no_retries_allowed_a_lost_order_expires(strategy: StrategyWithKey,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    exchange = _install(monkeypatch, Faulty(lost=1))
    order = _entry(strategy, max_retries=0)
    _later(order)
    order = order_reconcile(order_id=order.pk)
    assert (order.status, order.status_reason) == (S.EXPIRED, "never_reached_exchange")
    assert len(exchange.calls) == 1
