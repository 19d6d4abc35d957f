"""Helpers for execution tests: orders as the pipeline would create them, and
exchange reports as an adapter would return them."""

from __future__ import annotations

from decimal import Decimal
from itertools import count
from typing import Any

from django.db import transaction
from django.utils import timezone

from configs_app.services import config_set_global
from execution_app.exchange.base import ExchangeFill, ExchangeOrder, ExchangeRejected, OrderRequest
from execution_app.exchange.paper import PaperExchange
from execution_app.exchange.paper_engine import engine_on_price
from execution_app.models import Order, OrderStatus
from execution_app.services import pipeline
from execution_app.services.conditional import conditional_orders_check
from execution_app.services.followup import FollowUp
from execution_app.services.lifecycle import follow_up_run, order_changed
from execution_app.services.orders import order_sync
from petrosa.core.market import price_set
from risk_app.models import RiskDecision
from signals_app.models import Signal, SignalStatus, Strategy
from signals_app.services.status import signal_transition
from tests.factories import SignalFactory

_trade_ids = count(1)


def configure(**parameters: Any) -> None:
    """Set global trading parameters (config units: *_pct are percents)."""
    config_set_global(parameters=parameters, changed_by="test", reason="test setup")


def accepted_signal(strategy: Strategy, **fields: Any) -> Signal:
    """A signal that passed aggregation, waiting for the gate and execution."""
    fields.setdefault("confidence", Decimal("1"))
    fields.setdefault("effective_confidence", fields["confidence"])
    signal = SignalFactory(strategy=strategy, **fields)
    signal_transition(signal=signal, to=SignalStatus.ACCEPTED, reason="test")
    return signal


def decide(signal: Signal) -> tuple[list[Order], FollowUp]:
    """Size, gate and create the signal's orders without sending them."""
    with transaction.atomic():
        follow = pipeline._decide(Signal.objects.select_for_update().select_related("strategy").get(pk=signal.pk))
    return list(Order.objects.filter(signal=signal).order_by("id")), follow


def submitted_order(strategy: Strategy, *, symbol: str, side: str, quantity: str, position_side: str = "") -> Order:
    """An order already claimed (SUBMITTING), for feeding exchange reports to."""
    signal = SignalFactory(strategy=strategy, symbol=symbol, action="buy" if side == "BUY" else "sell")
    decision = RiskDecision.objects.create(signal=signal, approved=True, reason_code="approved")
    return Order.objects.create(
        signal=signal, decision=decision, client_order_id=f"pt-test-{signal.pk}", symbol=symbol, side=side,
        position_side=position_side or ("LONG" if side == "BUY" else "SHORT"), quantity=Decimal(quantity),
        status=OrderStatus.SUBMITTING, submitted_at=timezone.now(),
    )  # fmt: skip


def filled_report(order: Order, fills: list[tuple[str, str, str, str]], *, status: str = "filled") -> ExchangeOrder:
    """An adapter's answer for ``order``: fills are (price, quantity, commission, commission asset)."""
    exchange_fills = tuple(
        ExchangeFill(trade_id=f"t{next(_trade_ids)}", price=Decimal(p), quantity=Decimal(q), commission=Decimal(c),
                     commission_asset=asset)
        for p, q, c, asset in fills
    )  # fmt: skip
    executed = sum((f.quantity for f in exchange_fills), Decimal(0))
    quote = sum((f.quantity * f.price for f in exchange_fills), Decimal(0))
    return ExchangeOrder(
        client_order_id=order.client_order_id, exchange_order_id=str(order.pk), status=status,
        executed_quantity=executed, average_price=quote / executed if executed else None, fills=exchange_fills,
    )  # fmt: skip


def tick(symbol: str, price: str) -> list[str]:
    """The market moves: the paper exchange fills and triggers what the price
    reached, each changed order is synced into ours (as ``execution.sync_order``
    does), and held conditional orders are checked (as the watcher does)."""
    price_set(symbol=symbol, price=Decimal(price), source="test")
    changed = engine_on_price(symbol, Decimal(price))
    for client_order_id in changed:
        order_changed(order_sync(client_order_id=client_order_id))
    follow_up_run(conditional_orders_check(symbol=symbol))
    return changed


def orders_of(signal: Signal) -> dict[str, Order]:
    """The signal's orders by role (the latest attempt of each)."""
    return {order.role: order for order in Order.objects.filter(signal=signal).order_by("id")}


class RefusingStopLegs(PaperExchange):
    """Refuses the first ``refusals`` stop-loss legs it is sent; everything else goes through."""

    def __init__(self, refusals: int) -> None:
        super().__init__()
        self.refusals = refusals
        self.sent: list[str] = []

    def place_order(self, request: OrderRequest) -> ExchangeOrder:
        self.sent.append(request.client_order_id)
        if "-sl" in request.client_order_id and self.refusals > 0:
            self.refusals -= 1
            raise ExchangeRejected(code=-2021, message="Order would immediately trigger.",
                                   reason="would_trigger_immediately")  # fmt: skip
        return super().place_order(request)



