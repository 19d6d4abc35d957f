from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from signals_app.keys import key_matches, key_prefix_of
from signals_app.models import FINAL_SIGNAL_STATUSES, Action, Signal, SignalStatus, Strategy


def signals_visible_to(*, strategy_id: int | None, is_staff: bool) -> QuerySet[Signal]:
    """A strategy sees its own signals; staff see all; anyone else sees none."""
    queryset = Signal.objects.select_related("strategy")
    if strategy_id is not None:
        return queryset.filter(strategy_id=strategy_id)
    return queryset if is_staff else queryset.none()


ACTIVE_SIGNAL_STATUSES = tuple(status for status in SignalStatus.values if status not in FINAL_SIGNAL_STATUSES)


def signals_active(*, strategy_id: int | None, is_staff: bool, symbol: str | None = None) -> QuerySet[Signal]:
    """Signals not yet in a final status (received, accepted, pending_review), newest first."""
    queryset = signals_visible_to(strategy_id=strategy_id, is_staff=is_staff)
    queryset = queryset.filter(status__in=ACTIVE_SIGNAL_STATUSES)
    if symbol:
        queryset = queryset.filter(symbol=symbol.strip().upper())
    return queryset.order_by("-received_at", "-id")


def strategies_with_signal_counts(*, strategy_id: int | None = None) -> QuerySet[Strategy]:
    """Strategies annotated with ``signal_count_<status>`` and ``signal_count_total``,
    counted in the same query (no query per strategy)."""
    counts = {
        f"signal_count_{status}": Count("signals", filter=Q(signals__status=status)) for status in SignalStatus.values
    }
    queryset = Strategy.objects.annotate(**counts, signal_count_total=Count("signals")).order_by("name")
    if strategy_id is not None:
        queryset = queryset.filter(pk=strategy_id)
    return queryset


def strategy_signal_counts(strategy: Strategy) -> dict[str, int]:
    """The counts of a strategy from ``strategies_with_signal_counts``."""
    return {key: getattr(strategy, f"signal_count_{key}") for key in (*SignalStatus.values, "total")}


@dataclass(frozen=True)
class SignalSummary:
    since: datetime
    until: datetime
    total: int
    by_status: dict[str, int]
    by_action: dict[str, int]
    by_symbol: dict[str, int]
    by_strategy: dict[str, dict[str, Any]]  # name -> {"total": n, "by_status": {...}}


def signal_summary(*, strategy_id: int | None, since: datetime, until: datetime | None = None) -> SignalSummary:
    """Signals received in [since, until], counted by status, action, symbol and
    strategy in one grouped query. ``strategy_id=None`` counts every strategy."""
    until = until or timezone.now()
    queryset = Signal.objects.filter(received_at__gte=since, received_at__lte=until)
    if strategy_id is not None:
        queryset = queryset.filter(strategy_id=strategy_id)
    groups = queryset.values("strategy__name", "status", "action", "symbol").annotate(count=Count("id")).order_by()
    by_status = dict.fromkeys(SignalStatus.values, 0)
    by_action = dict.fromkeys(Action.values, 0)
    by_symbol: dict[str, int] = {}
    by_strategy: dict[str, dict[str, Any]] = {}
    for group in groups:
        count = group["count"]
        by_status[group["status"]] += count
        by_action[group["action"]] += count
        by_symbol[group["symbol"]] = by_symbol.get(group["symbol"], 0) + count
        strategy = by_strategy.setdefault(
            group["strategy__name"], {"total": 0, "by_status": dict.fromkeys(SignalStatus.values, 0)}
        )
        strategy["total"] += count
        strategy["by_status"][group["status"]] += count
    return SignalSummary(
        since=since,
        until=until,
        total=sum(by_status.values()),
        by_status=by_status,
        by_action=by_action,
        by_symbol=dict(sorted(by_symbol.items())),
        by_strategy=dict(sorted(by_strategy.items())),
    )


def strategy_for_key(presented: str) -> Strategy | None:
    """The strategy a presented API key belongs to, or None. An index lookup by
    the key's prefix, then a constant-time hash compare. Active or not: callers
    refuse inactive strategies with their own message."""
    prefix = key_prefix_of(presented)
    strategy = _strategy_by_prefix(prefix) if prefix else None
    if strategy is None or not key_matches(presented, strategy.key_hash):
        return None
    return strategy


def _strategy_by_prefix(prefix: str) -> Strategy | None:
    """One indexed read per request, so a rotated key or a deactivated strategy is
    refused on the next request: nothing is cached but the SQL text. The ORM building
    this query for every request was the largest project cost of an intake request
    (BENCHMARKS.md, Intake); executed as is, the row becomes the same model instance."""
    sql, columns, needs_converters = _strategy_by_prefix_query()
    if needs_converters:  # e.g. SQLite's decimals and datetimes: let the ORM convert them
        return next(iter(Strategy.objects.raw(sql, [prefix])), None)
    with connection.cursor() as cursor:
        cursor.execute(sql, [prefix])
        row = cursor.fetchone()
    return Strategy.from_db(connection.alias, columns, row) if row else None


@functools.cache
def _strategy_by_prefix_query() -> tuple[str, list[str], bool]:
    """SELECT <every column> ... WHERE key_prefix = %s LIMIT 1 as the ORM writes it (key_prefix
    is unique), the columns' attribute names, and whether the ORM would convert their values."""
    compiler = Strategy.objects.filter(key_prefix="").order_by()[:1].query.get_compiler(connection=connection)
    sql, _ = compiler.as_sql()
    converters = compiler.get_converters([column for column, _, _ in compiler.select])
    return sql, [column.target.attname for column, _, _ in compiler.select], bool(converters)
