"""Aggregation: deciding what a symbol's signals amount to.

Under a per-symbol lock, every RECEIVED signal of the symbol is decided in
arrival (id) order, whichever worker holds the lock. So however tasks are
spread across workers, the outcome is exactly that of deciding the signals
one by one in the order they arrived.

A signal conflicts with the symbol's *active* signals: those accepted,
ordered or waiting for review within max_signal_age_seconds. Opposing ones
are read as rows (a conflict is decided against each); those in the same
direction only as a count and a strength sum, so a long run of same-direction
signals does not make each new one slower to decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from configs_app.services import config_resolve
from petrosa.core.handoff import enqueue_on_commit
from petrosa.core.locks import lock_for_transaction
from signals_app.models import Action, Signal, SignalStatus
from signals_app.services.modes import effective_confidence, signal_strength, timeframe_rank
from signals_app.services.status import signal_transition

EXECUTE_SIGNAL_TASK = "execution.execute_signal"
ACTIVE_STATUSES = (SignalStatus.ACCEPTED, SignalStatus.ORDERED, SignalStatus.PENDING_REVIEW)
ACTION_VALUE = {Action.BUY: 1, Action.SELL: -1, Action.HOLD: 0}
WEIGHTED_THRESHOLD = Decimal("0.3")
LISTED_IDS = 100  # ids named in an audit row's data; the count is always exact


@dataclass(frozen=True)
class ActiveBook:
    """What a new signal is decided against."""

    opposing: list[Signal]
    same_count: int
    same_strength: Decimal
    same_ids: list[int]  # the oldest LISTED_IDS of them, for the record


def signal_aggregate(*, signal_id: int) -> Signal | None:
    """Decide the given signal (and any other received signal of its symbol).
    Safe to call again: decided signals are left alone. None if it is gone."""
    with transaction.atomic():
        symbol = Signal.objects.filter(pk=signal_id).values_list("symbol", flat=True).first()
        if symbol is None:
            return None
        lock_for_transaction(f"aggregate:{symbol}")
        received = (
            Signal.objects.select_for_update(of=("self",))
            .select_related("strategy")
            .filter(symbol=symbol, status=SignalStatus.RECEIVED)
            .order_by("id")
        )
        for signal in received:
            _decide(signal)
    return Signal.objects.filter(pk=signal_id).first()


def _decide(signal: Signal) -> None:
    side = "SHORT" if signal.action == Action.SELL else "LONG"
    config = config_resolve(symbol=signal.symbol, side=side)
    signal.effective_confidence = effective_confidence(signal)
    signal.strength_score = signal_strength(signal, config)
    Signal.objects.filter(pk=signal.pk).update(
        effective_confidence=signal.effective_confidence, strength_score=signal.strength_score
    )
    if signal.action == Action.HOLD:
        signal_transition(signal=signal, to=SignalStatus.HELD, reason="hold_signal")
        return
    if signal.action == Action.CLOSE:
        _accept(signal, "close_never_conflicts")  # cutting risk is never blocked by other signals
        return

    # Hedge mode: LONG and SHORT are separate positions, so nothing opposes.
    book = _active_book(signal, config, opposing=config["position_mode"] != "hedge")
    opposing = book.opposing
    policy = config["signal_conflict_resolution"]

    if not opposing:
        if policy == "accumulate" and book.same_count >= config["max_accumulations"]:
            signal_transition(
                signal=signal, to=SignalStatus.REJECTED, reason="accumulation_cap",
                data={"active_same_direction": book.same_ids, "active_same_direction_count": book.same_count},
            )  # fmt: skip
        else:
            _accept(signal, "no_conflict")
    elif policy == "first_come_first_served":
        _reject(signal, "conflict_first_come_first_served", opposing)
    elif policy == "manual_review":
        signal_transition(
            signal=signal, to=SignalStatus.PENDING_REVIEW, reason="conflict_needs_review",
            data={"conflicts_with": [a.pk for a in opposing]},
        )  # fmt: skip
    elif policy == "weighted_average":
        _weighted_average(signal, book)
    else:  # strongest_wins, and accumulate for opposing signals
        _strongest_wins(signal, opposing, config)


def _active_book(signal: Signal, config: dict[str, Any], *, opposing: bool) -> ActiveBook:
    """Opposing signals as rows; same-direction ones as one aggregate and a few ids."""
    active = _active(signal, config)
    same = active.filter(acting=signal.action)
    totals = same.aggregate(count=Count("id"), strength=Sum("strength_score"))
    rows = list(active.exclude(acting__in=[signal.action, Action.CLOSE]).order_by("id")) if opposing else []
    return ActiveBook(
        opposing=rows,
        same_count=totals["count"],
        same_strength=totals["strength"] or Decimal("0"),
        same_ids=list(same.order_by("id").values_list("id", flat=True)[:LISTED_IDS]),
    )


def _active(signal: Signal, config: dict[str, Any]) -> QuerySet[Signal]:
    since = timezone.now() - timedelta(seconds=int(config["max_signal_age_seconds"]))
    return (
        Signal.objects.filter(symbol=signal.symbol, status__in=ACTIVE_STATUSES, received_at__gte=since)
        .exclude(pk=signal.pk)
        .exclude(action__in=[Action.HOLD, Action.CLOSE])
        .annotate(acting=Coalesce(NullIf("aggregated_action", Value("")), "action"))  # Signal.effective_action
    )


def _accept(signal: Signal, reason: str, data: dict[str, Any] | None = None) -> None:
    signal_transition(signal=signal, to=SignalStatus.ACCEPTED, reason=reason, data=data)
    enqueue_on_commit(EXECUTE_SIGNAL_TASK, signal.pk)


def _reject(signal: Signal, reason: str, opposing: list[Signal]) -> None:
    signal_transition(
        signal=signal, to=SignalStatus.REJECTED, reason=reason, data={"conflicts_with": [a.pk for a in opposing]}
    )


def _strongest_wins(signal: Signal, opposing: list[Signal], config: dict[str, Any]) -> None:
    strongest = max(opposing, key=lambda a: _rank(a, signal, config))
    if _rank(signal, strongest, config) <= _rank(strongest, signal, config):
        _reject(signal, "weaker_than_active_signal", opposing)  # ties go to the incumbent
        return
    for loser in opposing:
        _supersede(loser, winner=signal)
    _accept(signal, "stronger_than_active_signals", {"superseded": [a.pk for a in opposing]})


def _rank(signal: Signal, other: Signal, config: dict[str, Any]) -> tuple[int, Decimal]:
    """Sort key for strongest_wins: timeframe first when the policy says so and
    the timeframes differ, then the strength score."""
    policy = config["timeframe_conflict_resolution"]
    by_timeframe = 0
    if signal.timeframe != other.timeframe and policy != "weighted_average":
        rank = timeframe_rank(signal.timeframe)
        by_timeframe = rank if policy == "higher_timeframe_wins" else -rank
    score = signal.strength_score if signal.strength_score is not None else signal_strength(signal, config)
    return by_timeframe, score


def _supersede(loser: Signal, *, winner: Signal) -> None:
    """A loser still waiting for review is rejected. One already accepted or
    ordered goes on: what it sends is a market order that fills at once, exactly
    as if it had been processed before the winner arrived, which keeps the
    outcome independent of worker timing. (Cancelling a loser's resting limit
    orders comes with resting orders themselves.)"""
    # Re-read under a row lock: a reviewer may be acting on it right now.
    loser = Signal.objects.select_for_update(of=("self",)).select_related("strategy").get(pk=loser.pk)
    if loser.status == SignalStatus.PENDING_REVIEW:
        signal_transition(
            signal=loser, to=SignalStatus.REJECTED, reason="superseded", data={"winner": winner.pk}
        )


def _weighted_average(signal: Signal, book: ActiveBook) -> None:
    voters = [*book.opposing, signal]
    total = book.same_strength + sum((v.strength_score or Decimal("0")) for v in voters)
    vote = ACTION_VALUE[signal.action] * book.same_strength + sum(
        ACTION_VALUE[v.effective_action] * (v.strength_score or Decimal("0")) for v in voters
    )
    value = vote / total if total else Decimal("0")
    if value > WEIGHTED_THRESHOLD:
        result = Action.BUY
    elif value < -WEIGHTED_THRESHOLD:
        result = Action.SELL
    else:
        result = Action.HOLD
    data = {
        "weighted_value": str(value.quantize(Decimal("0.000001"))),
        "voters": sorted([*book.same_ids, *(v.pk for v in voters)]),
        "voter_count": book.same_count + len(voters),
    }
    Signal.objects.filter(pk=signal.pk).update(aggregated_action=result)
    signal.aggregated_action = result
    if result == Action.HOLD:
        signal_transition(signal=signal, to=SignalStatus.HELD, reason="weighted_average_hold", data=data)
    else:
        _accept(signal, "weighted_average", data)
