"""The counters and histograms every process writes (multiprocess mode).

Names keep the seed's `tradeengine_` prefix so the original dashboards and
alerts keep working. Gauges that describe current state (queues, positions,
P&L) are not here: they are computed at scrape time (metrics/state.py), so
a dead process can never leave a stale value behind.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)

# --- The seed's four ------------------------------------------------------------
TRADES = Counter(
    "tradeengine_trades", "Orders that reached a final status, by status and order type", ["status", "type"]
)
ERRORS = Counter("tradeengine_errors", "Errors by type (exchange, task, NATS dead letters, audit)", ["type"])
LATENCY = Histogram(
    "tradeengine_latency_seconds",
    "Trade execution latency: from the signal's arrival to its order's final status",
    ["status"],
    buckets=LATENCY_BUCKETS,
)
NATS_MESSAGES = Counter(
    "tradeengine_nats_messages_processed", "NATS signal messages taken in, by outcome", ["outcome"]
)

# --- The pipeline ---------------------------------------------------------------
SIGNALS_RECEIVED = Counter("tradeengine_signals_received", "Signals saved by intake, by source", ["source"])
SIGNALS_STATUS = Counter(
    "tradeengine_signals_processed", "Signal status changes after intake, by new status", ["status"]
)
SIGNALS_REJECTED = Counter("tradeengine_signals_rejected", "Signals rejected, by reason code", ["reason"])
RISK_CHECKS = Counter("tradeengine_risk_checks", "Risk gate decisions, by result", ["result"])
RISK_REJECTIONS = Counter(
    "tradeengine_risk_rejections",
    "Failing risk rules in rejected decisions, by rule and reason code",
    ["rule", "reason"],
)
ORDER_STATUS = Counter("tradeengine_order_status_changes", "Order status changes, by new status", ["status"])
FILLS = Counter("tradeengine_fills", "Fills recorded")
RECONCILIATION_DIFFERENCES = Counter(
    "tradeengine_reconciliation_differences_found",
    "Differences between our records and the exchange's, by category",
    ["category"],
)
AUDIT_EVENTS = Counter("tradeengine_audit_events", "Audit events committed, by kind", ["kind"])

# --- Celery tasks ---------------------------------------------------------------
TASKS = Counter("tradeengine_tasks", "Celery tasks run, by task and outcome", ["task", "outcome"])
TASK_DURATION = Histogram(
    "tradeengine_task_duration_seconds", "Celery task run time, by task", ["task"], buckets=LATENCY_BUCKETS
)

# --- The exchange ---------------------------------------------------------------
# The latest X-MBX-USED-WEIGHT-1M any process of this container saw.
EXCHANGE_WEIGHT = Gauge(
    "tradeengine_exchange_used_weight",
    "Request weight used in the exchange's current window (X-MBX-USED-WEIGHT-1M)",
    ["exchange", "interval"],
    multiprocess_mode="mostrecent",
)
