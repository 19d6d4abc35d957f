"""The manual-review queue: an operator approves or rejects a parked signal.

Approval re-checks what may have changed while the signal waited: its age and
how far the price moved. Then the signal continues the normal flow, risk gate
included. Every decision is audited with the operator and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from configs_app.services import config_resolve
from petrosa.core.errors import Conflict, InvalidInput
from petrosa.core.handoff import enqueue_on_commit
from petrosa.core.market import price_latest
from signals_app.models import Signal, SignalStatus
from signals_app.services.aggregation import EXECUTE_SIGNAL_TASK
from signals_app.services.status import signal_transition


def _locked_pending(signal_id: int) -> Signal:
    signal = Signal.objects.select_for_update(of=("self",)).select_related("strategy").get(pk=signal_id)
    if signal.status != SignalStatus.PENDING_REVIEW:
        raise Conflict(f"Signal {signal_id} is {signal.status}, not waiting for review.", code="not_pending_review")
    return signal


def _require_reason(reason: str) -> None:
    if not reason.strip():
        raise InvalidInput("A reason is required.", fields={"reason": ["This field is required."]})


@dataclass(frozen=True)
class ReviewOutcome:
    signal: Signal
    approved: bool
    code: str  # approved, review_expired, price_moved
    message: str


@transaction.atomic
def signal_review_approve(*, signal_id: int, reviewer: str, reason: str = "") -> ReviewOutcome:
    signal = _locked_pending(signal_id)
    config = config_resolve(symbol=signal.symbol, side="SHORT" if signal.action == "sell" else "LONG")
    age = (timezone.now() - signal.received_at).total_seconds()
    if age > config["review_max_age_seconds"]:
        signal_transition(signal=signal, to=SignalStatus.EXPIRED, reason="review_expired", actor=reviewer,
                          data={"age_seconds": round(age, 1)})  # fmt: skip
        return ReviewOutcome(signal, False, "review_expired", f"Signal waited {age:.0f}s; it has expired.")
    reference = signal.current_price or signal.price
    if reference:
        drift = abs(price_latest(signal.symbol) - reference) / reference
        limit = config["review_max_price_drift_pct"] / 100  # config percents are 0-100
        if drift > limit:
            message = f"The price moved {drift:.4%} since the signal (limit {limit:.4%}); reject it instead."
            return ReviewOutcome(signal, False, "price_moved", message)
    signal_transition(signal=signal, to=SignalStatus.ACCEPTED, reason="approved_by_reviewer", actor=reviewer,
                      data={"note": reason})  # fmt: skip
    enqueue_on_commit(EXECUTE_SIGNAL_TASK, signal.pk)
    return ReviewOutcome(signal, True, "approved", "Approved; the signal goes on to the risk gate.")


@transaction.atomic
def signal_review_reject(*, signal_id: int, reviewer: str, reason: str) -> Signal:
    _require_reason(reason)
    signal = _locked_pending(signal_id)
    return signal_transition(
        signal=signal, to=SignalStatus.REJECTED, reason="rejected_by_reviewer", actor=reviewer, data={"note": reason}
    )


def signals_expire_unreviewed() -> int:
    """Expire parked signals older than their scope's review_max_age_seconds (beat runs this)."""
    expired = 0
    horizon = timezone.now() - timedelta(seconds=10)
    for signal_id in Signal.objects.filter(status=SignalStatus.PENDING_REVIEW, received_at__lt=horizon).values_list(
        "id", flat=True
    ):
        with transaction.atomic():
            signal = Signal.objects.select_for_update(of=("self",)).select_related("strategy").get(pk=signal_id)
            if signal.status != SignalStatus.PENDING_REVIEW:
                continue
            config = config_resolve(symbol=signal.symbol)
            age = (timezone.now() - signal.received_at).total_seconds()
            if age > config["review_max_age_seconds"]:
                signal_transition(signal=signal, to=SignalStatus.EXPIRED, reason="review_expired",
                                  data={"age_seconds": round(age, 1)})  # fmt: skip
                expired += 1
    return expired
