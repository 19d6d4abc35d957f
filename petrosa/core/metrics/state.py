"""Gauges computed when Prometheus scrapes: they describe the present (queues,
positions, P&L, differences), read from the database and Redis, so every web
replica reports the same numbers and no process can leave a stale value.

Models are read by app label (django.apps), not imported: petrosa.core sits
below the apps. A source that fails is reported in
tradeengine_metrics_source_up{source} instead of failing the scrape.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal

import redis
from django.apps import apps
from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from petrosa.core.version import build_info

logger = logging.getLogger(__name__)

TASK_QUEUES = ("signals", "execution")
# Celery's Redis transport keeps one list per priority step: "q", "q\x06\x163", ...
_PRIORITY_SEP = "\x06\x16"
_PRIORITY_STEPS = (0, 3, 6, 9)
# An order claimed this long ago without a recorded outcome differs from the exchange until reconciled.
STUCK_SUBMITTING_AFTER = timedelta(seconds=30)


def _gauge(name: str, doc: str, labels: list[str] | None = None) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, labels=labels or [])


def _model(label: str, name: str):  # type: ignore[no-untyped-def]
    return apps.get_model(label, name)


def _orders() -> Iterator[Metric]:
    order = _model("execution_app", "Order")
    by_status = _gauge("tradeengine_orders", "Orders by current status", ["status"])
    for row in order.objects.values("status").annotate(n=Count("id")).order_by("status"):
        by_status.add_metric([row["status"]], row["n"])
    yield by_status

    now = timezone.now()
    differences = _gauge(
        "tradeengine_reconciliation_differences",
        "Open differences between our orders and the exchange's, awaiting reconciliation",
        ["category"],
    )
    differences.add_metric(["order_outcome_unknown"], order.objects.filter(status="unknown").count())
    differences.add_metric(
        ["order_stuck_submitting"],
        order.objects.filter(status="submitting", submitted_at__lt=now - STUCK_SUBMITTING_AFTER).count(),
    )
    # The reconciler's open issues, by kind (unknown_to_us, gone_from_exchange, ...), every kind reported.
    try:
        issue = _model("execution_app", "ReconciliationIssue")
    except LookupError:  # a build without reconciliation
        issue = None
    if issue is not None:
        open_by_kind = dict(
            issue.objects.filter(status="open").values_list("kind").annotate(n=Count("id")).order_by("kind")
        )
        for kind in issue._meta.get_field("kind").choices or []:
            differences.add_metric([kind[0]], open_by_kind.get(kind[0], 0))
    yield differences

    oldest = _gauge(
        "tradeengine_pipeline_oldest_age_seconds",
        "Age of the oldest item waiting at each stage (0 when none): how far behind the workers are",
        ["stage"],
    )
    signal = _model("signals_app", "Signal")
    waits = {
        "signal_received": signal.objects.filter(status="received").aggregate(t=Min("received_at"))["t"],
        "signal_accepted": signal.objects.filter(status="accepted").aggregate(t=Min("updated_at"))["t"],
        "order_pending": order.objects.filter(status="pending").aggregate(t=Min("created_at"))["t"],
    }
    for stage, since in waits.items():
        oldest.add_metric([stage], (now - since).total_seconds() if since else 0.0)
    yield oldest


def _review_queue() -> Iterator[Metric]:
    signal = _model("signals_app", "Signal")
    queue = signal.objects.filter(status="pending_review").aggregate(n=Count("id"), oldest=Min("received_at"))
    depth = _gauge("tradeengine_review_queue_depth", "Signals waiting for manual review")
    depth.add_metric([], queue["n"])
    age = _gauge("tradeengine_review_queue_oldest_age_seconds", "Age of the oldest signal waiting for review")
    age.add_metric([], (timezone.now() - queue["oldest"]).total_seconds() if queue["oldest"] else 0.0)
    yield depth
    yield age


def _positions() -> Iterator[Metric]:
    position = _model("risk_app", "Position")
    labels = ["symbol", "side"]
    quantity = _gauge("tradeengine_position_quantity", "Open quantity per symbol and side", labels)
    entry = _gauge("tradeengine_position_entry_price", "Average entry price per symbol and side", labels)
    realized = _gauge("tradeengine_position_realized_pnl_usd", "Realized P&L net of fees (quote asset)", labels)
    unrealized = _gauge("tradeengine_position_unrealized_pnl_usd", "Unrealized P&L at the mark price", labels)
    open_count = _gauge("tradeengine_open_positions", "Positions with a non-zero quantity")
    total_realized = _gauge("tradeengine_total_realized_pnl_usd", "Realized P&L over all positions")
    total_unrealized = _gauge("tradeengine_total_unrealized_pnl_usd", "Unrealized P&L over all positions")
    sums, opened = {"realized": Decimal("0"), "unrealized": Decimal("0")}, 0
    for row in position.objects.all():
        key = [row.symbol, row.side]
        pnl = Decimal(getattr(row, "unrealized_pnl", 0) or 0)
        quantity.add_metric(key, float(row.quantity))
        entry.add_metric(key, float(row.avg_entry_price))
        realized.add_metric(key, float(row.realized_pnl))
        unrealized.add_metric(key, float(pnl))
        sums["realized"] += row.realized_pnl
        sums["unrealized"] += pnl
        opened += 1 if row.quantity else 0
    open_count.add_metric([], opened)
    total_realized.add_metric([], float(sums["realized"]))
    total_unrealized.add_metric([], float(sums["unrealized"]))
    yield from (quantity, entry, realized, unrealized, open_count, total_realized, total_unrealized)


def _risk() -> Iterator[Metric]:
    model = _model("risk_app", "RiskState")
    fields = ["mode"] + (["breaker_tripped"] if any(f.name == "breaker_tripped" for f in model._meta.fields) else [])
    state = model.objects.filter(pk=1).values(*fields).first() or {}
    mode = state.get("mode", "active")
    trading_mode = _gauge("tradeengine_trading_mode", "1 for the kill switch's current mode", ["mode"])
    for candidate in ("active", "reduce_only", "halted"):
        trading_mode.add_metric([candidate], 1 if candidate == mode else 0)
    kill_switch = _gauge("tradeengine_kill_switch_engaged", "1 while an operator's mode refuses new entries")
    kill_switch.add_metric([], 0 if mode == "active" else 1)
    breaker = _gauge("tradeengine_risk_breaker_tripped", "1 while the daily-loss breaker refuses new entries")
    breaker.add_metric([], 1 if state.get("breaker_tripped") else 0)
    yield from (trading_mode, kill_switch, breaker)


def _redis_client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5)


def _task_queues() -> Iterator[Metric]:
    depth = _gauge("tradeengine_task_queue_depth", "Celery messages waiting in Redis, by queue", ["queue"])
    if not settings.REDIS_URL:  # embedded mode: tasks run in process, nothing ever waits
        for queue in TASK_QUEUES:
            depth.add_metric([queue], 0)
        yield depth
        return
    client = _redis_client()
    pipe = client.pipeline(transaction=False)
    for queue in TASK_QUEUES:
        for step in _PRIORITY_STEPS:
            pipe.llen(queue if step == 0 else f"{queue}{_PRIORITY_SEP}{step}")
    lengths = pipe.execute()
    for index, queue in enumerate(TASK_QUEUES):
        depth.add_metric([queue], sum(lengths[index * len(_PRIORITY_STEPS) : (index + 1) * len(_PRIORITY_STEPS)]))
    yield depth


def _workers() -> Iterator[Metric]:
    from petrosa.core.health import worker_heartbeats_read

    alive = _gauge("tradeengine_workers_alive", "Celery workers whose heartbeat is fresh")
    age = _gauge("tradeengine_worker_heartbeat_age_seconds", "Seconds since each worker's last heartbeat", ["worker"])
    if not settings.REDIS_URL:
        alive.add_metric([], 1)  # embedded: the web process runs the tasks itself
        yield alive
        return
    beats = worker_heartbeats_read()
    now = time.time()
    for beat in beats:
        age.add_metric([beat.worker], max(now - beat.timestamp, 0.0))
    alive.add_metric([], len(beats))
    yield alive
    yield age


def _build() -> Iterator[Metric]:
    info = build_info()
    metric = _gauge("tradeengine_build_info", "The running build", ["version", "git_commit"])
    metric.add_metric([info.version, info.git_commit[:12]], 1)
    yield metric


SOURCES: dict[str, Callable[[], Iterator[Metric]]] = {
    "orders": _orders,
    "review_queue": _review_queue,
    "positions": _positions,
    "risk": _risk,
    "task_queues": _task_queues,
    "workers": _workers,
    "build": _build,
}


class StateCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        up = _gauge("tradeengine_metrics_source_up", "1 if the scrape could read this source", ["source"])
        for name, source in SOURCES.items():
            try:
                metrics = list(source())
            except Exception as exc:  # noqa: BLE001 - a down database must not take /metrics down
                logger.warning("metrics source %s unavailable: %s", name, exc.__class__.__name__)
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from metrics
        yield up
