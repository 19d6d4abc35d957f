"""What happened to each signal, read from the database after a run.

The harness drives the system through its public surfaces; only these reads
(and the seeding in bench/seeding.py) go to the tables, so a change of models
is adapted here once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Min, Q

from execution_app.models import Fill, Order
from execution_app.models_paper import PaperOrder
from risk_app.models import RiskDecision
from signals_app.models import FINAL_SIGNAL_STATUSES, Signal

ENTRY = "entry"


@dataclass
class Trip:
    signal_id: int
    status: str
    reason: str
    received_at: datetime
    decided_at: datetime | None = None
    first_fill_at: datetime | None = None
    entry_orders: int = 0
    entry_fills: int = 0
    filled_quantity: Decimal = Decimal("0")
    ordered_quantity: Decimal = Decimal("0")
    client_order_ids: list[str] = field(default_factory=list)

    @property
    def fill_ms(self) -> float | None:
        if self.first_fill_at is None:
            return None
        return (self.first_fill_at - self.received_at).total_seconds() * 1000

    @property
    def decision_ms(self) -> float | None:
        if self.decided_at is None:
            return None
        return (self.decided_at - self.received_at).total_seconds() * 1000


def trips(signal_ids: list[int]) -> dict[int, Trip]:
    """Every signal's status, decision time, entry orders and fills."""
    result: dict[int, Trip] = {}
    for chunk in _chunks(signal_ids):
        for pk, status, reason, received in Signal.objects.filter(pk__in=chunk).values_list(
            "pk", "status", "status_reason", "received_at"
        ):
            result[pk] = Trip(pk, status, reason, received)
        for signal_id, created in RiskDecision.objects.filter(signal_id__in=chunk).values_list(
            "signal_id", "created_at"
        ):
            result[signal_id].decided_at = created
        for order in Order.objects.filter(signal_id__in=chunk, role=ENTRY).annotate(
            first_fill=Min("fills__created_at"), fills_count=Count("fills")
        ):
            trip = result[order.signal_id]
            trip.entry_orders += 1
            trip.entry_fills += order.fills_count
            trip.ordered_quantity += order.quantity
            trip.filled_quantity += order.executed_quantity
            trip.client_order_ids.append(order.client_order_id)
            if order.first_fill is not None and (trip.first_fill_at is None or order.first_fill < trip.first_fill_at):
                trip.first_fill_at = order.first_fill
    return result


def unfinished(signal_ids: list[int]) -> int:
    """Signals not in a final status yet, or ordered with an entry not filled yet."""
    count = 0
    for chunk in _chunks(signal_ids):
        count += Signal.objects.filter(pk__in=chunk).exclude(status__in=FINAL_SIGNAL_STATUSES).count()
        count += (
            Order.objects.filter(signal_id__in=chunk, role=ENTRY)
            .filter(~Q(status__in=("filled", "canceled", "rejected", "expired")))
            .count()
        )
    return count


def reasons(found: dict[int, Trip]) -> dict[str, int]:
    return dict(Counter(f"{t.status}:{t.reason}" if t.reason else t.status for t in found.values()).most_common())


def exchange_submissions(client_order_ids: list[str]) -> dict[str, int]:
    """How many orders the (paper) exchange holds for each client order id: a
    resend would show as two."""
    counts: Counter[str] = Counter()
    for chunk in [client_order_ids[i : i + 2000] for i in range(0, len(client_order_ids), 2000)]:
        counts.update(PaperOrder.objects.filter(client_order_id__in=chunk).values_list("client_order_id", flat=True))
    return dict(counts)


def fills_between(start: datetime, end: datetime) -> int:
    return Fill.objects.filter(created_at__gte=start, created_at__lte=end).count()


def _chunks(ids: list[int], size: int = 2000) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]
