"""From an accepted signal to orders on the exchange.

size → risk gate → Orders, in one transaction under the portfolio lock, so
concurrent workers see each other's approved orders; then the exchange calls,
after commit and outside any lock.

Per symbol, signals execute in arrival order and one at a time: a signal
waits while an earlier signal of its symbol is still accepted or its order is
still in flight, and whoever finishes hands the symbol to the next signal.
So the position a `close` closes, or a limit a trade is judged against, is
the same as if the signals had been processed one by one, on any number of
workers.

The worker that finishes a signal carries its symbol on itself, up to
CARRY_ON_LIMIT signals or CARRY_ON_SECONDS (well inside the task time limit),
instead of queueing the next one: under a backlog the
queue holds a task for every accepted signal, and a hand-on queued behind
them would wait for the whole backlog to cycle once per signal. The tasks it
overtook then find their signal done and return after one cheap read.
"""

from __future__ import annotations

import time

from django.db import transaction
from django.utils import timezone

from configs_app.services import config_resolve
from execution_app.models import Order, OrderRole, OrderStatus
from execution_app.services.close import protection_release
from execution_app.services.followup import FollowUp
from execution_app.services.lifecycle import follow_up_run
from execution_app.services.planning import OrderPlan, SizedSignal, size_signal
from execution_app.services.state import client_order_id_for
from execution_app.services.venue import venue_name
from petrosa.core.handoff import enqueue_now
from petrosa.core.locks import lock_for_transaction
from risk_app.models import RiskDecision
from risk_app.services.gate import risk_evaluate
from signals_app.models import Action, Signal, SignalStatus
from signals_app.services.status import signal_transition

PORTFOLIO_LOCK = "portfolio"
EXECUTE_SIGNAL_TASK = "execution.execute_signal"
IN_FLIGHT = (OrderStatus.PENDING, OrderStatus.SUBMITTING, OrderStatus.UNKNOWN)


CARRY_ON_LIMIT = 50
CARRY_ON_SECONDS = 5.0


def signal_execute(*, signal_id: int) -> Order | None:
    """Decide and place the orders for an ACCEPTED signal, then carry its symbol
    on. Idempotent: a signal already decided only has its orders (if any)
    pushed along."""
    symbol = _execute_if_due(signal_id)
    if symbol is None:
        return None
    symbol_carry_on(symbol=symbol)
    return Order.objects.filter(signal_id=signal_id).order_by("id").first()


def symbol_carry_on(*, symbol: str, limit: int = CARRY_ON_LIMIT) -> None:
    """Execute the symbol's next accepted signals here, one after another, while
    nothing of it is in flight; past ``limit`` (or CARRY_ON_SECONDS) the rest is
    handed to the queue."""
    deadline = time.monotonic() + CARRY_ON_SECONDS
    for _ in range(limit):
        if time.monotonic() > deadline:
            break
        next_id = _next_due(symbol)
        if next_id is None:
            return
        _execute_if_due(next_id)
    symbol_hand_on(symbol=symbol)


def symbol_hand_on(*, symbol: str) -> None:
    """Wake the oldest accepted signal of a symbol, if nothing is in flight."""
    next_id = _next_due(symbol)
    if next_id is not None:
        enqueue_now(EXECUTE_SIGNAL_TASK, next_id)


def _next_due(symbol: str) -> int | None:
    if Order.objects.filter(symbol=symbol, status__in=IN_FLIGHT).exists():
        return None
    accepted = Signal.objects.filter(symbol=symbol, status=SignalStatus.ACCEPTED).order_by("id")
    return accepted.values_list("id", flat=True).first()


def _execute_if_due(signal_id: int) -> str | None:
    """One signal's turn: its symbol when it was done (or already was), None if
    it is gone or must wait for earlier work of its symbol."""
    # A cheap look first, without the portfolio lock: most queued tasks find
    # their signal already carried through, or still behind an earlier one.
    seen = Signal.objects.filter(pk=signal_id).values_list("symbol", "status").first()
    if seen is None:
        return None
    symbol, status = seen
    if status == SignalStatus.ACCEPTED and _waits_for_earlier_work(signal_id, symbol):
        return None
    if status != SignalStatus.ACCEPTED and not Order.objects.filter(signal_id=signal_id, status__in=IN_FLIGHT).exists():
        return symbol
    with transaction.atomic():
        lock_for_transaction(PORTFOLIO_LOCK)
        signal = Signal.objects.select_for_update().select_related("strategy").filter(pk=signal_id).first()
        if signal is None:
            return None
        if signal.status != SignalStatus.ACCEPTED:
            unsent = Order.objects.filter(signal=signal, status__in=IN_FLIGHT).order_by("id")
            follow = FollowUp(submit=list(unsent.values_list("id", flat=True)))
        elif _waits_for_earlier_work(signal.pk, signal.symbol):
            return None  # the earlier signal's completion hands the symbol on
        else:
            follow = _decide(signal)
    follow_up_run(follow)
    return symbol


def _waits_for_earlier_work(signal_id: int, symbol: str) -> bool:
    earlier_accepted = Signal.objects.filter(symbol=symbol, status=SignalStatus.ACCEPTED, id__lt=signal_id)
    in_flight = Order.objects.filter(symbol=symbol, status__in=IN_FLIGHT)
    return earlier_accepted.exists() or in_flight.exists()


def _decide(signal: Signal) -> FollowUp:
    side_hint = "SHORT" if signal.effective_action == Action.SELL else "LONG"
    config = config_resolve(symbol=signal.symbol, side=side_hint)
    sized = size_signal(signal=signal, config=config)
    decision = risk_evaluate(signal=signal, intent=sized.intent if isinstance(sized, SizedSignal) else sized,
                             config=config)  # fmt: skip
    if not decision.approved or not isinstance(sized, SizedSignal):
        signal_transition(signal=signal, to=SignalStatus.REJECTED, reason=decision.reason_code, actor="risk_gate")
        return FollowUp()
    follow = FollowUp()
    orders = []
    for plan in sized.plans:
        if plan.role == OrderRole.CLOSE:
            follow = follow + protection_release(
                symbol=plan.intent.symbol, position_side=plan.intent.position_side, actor="execution"
            )
        orders.append(_order_create(signal, decision, plan, leg=_leg(plan, several=len(sized.plans) > 1)))
    signal_transition(
        signal=signal,
        to=SignalStatus.ORDERED,
        reason="risk_approved",
        actor="risk_gate",
        data={"order_id": orders[0].pk, "client_order_id": orders[0].client_order_id,
              "orders": [order.client_order_id for order in orders]},
    )  # fmt: skip
    follow.submit.extend(order.pk for order in orders if order.status == OrderStatus.PENDING)
    return follow


def _leg(plan: OrderPlan, *, several: bool) -> str:
    if plan.role == OrderRole.CLOSE:
        return f"c{plan.intent.position_side[0]}" if several else "c"
    return "e"


def _order_create(signal: Signal, decision: RiskDecision, plan: OrderPlan, *, leg: str) -> Order:
    intent = plan.intent
    params = {**plan.params, "protection": plan.protection.as_params() if plan.protection.wanted else {}}
    if plan.sizing is not None:
        params["sizing"] = {name: str(value) for name, value in plan.sizing.__dict__.items()}
    return Order.objects.create(
        signal=signal,
        decision=decision,
        client_order_id=client_order_id_for(signal_id=signal.pk, leg=leg),
        exchange=venue_name(),
        symbol=intent.symbol,
        side=intent.side,
        position_side=intent.position_side,
        role=plan.role,
        order_type=plan.order_type,
        time_in_force=plan.time_in_force,
        quantity=intent.quantity,
        price=plan.limit_price,
        stop_price=plan.stop_price,
        reference_price=plan.reference_price,
        reduce_only=intent.reduce_only,
        status=OrderStatus.HELD if plan.held else OrderStatus.PENDING,
        conditional_price=plan.conditional_price,
        conditional_direction=plan.conditional_direction,
        expires_at=timezone.now() + plan.conditional_timeout if plan.conditional_timeout else None,
        params=params,
    )
