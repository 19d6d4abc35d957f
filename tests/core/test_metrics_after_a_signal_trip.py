"""/metrics after signals' full trips (eager pipeline, in process): every metric
the operations issue names is there, with the right labels and values.

Counters are compared before and after, because the multiprocess directory
keeps the counts of earlier runs; gauges are compared with the database."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from celery import current_app
from django.test import Client
from rest_framework.test import APIClient

from execution_app.models import Order, OrderRole, OrderStatus, ReconciliationIssue, ReconciliationRun
from petrosa.core.audit import audit_record
from petrosa.core.metrics.record import exchange_weight_record
from risk_app.models import Position
from signals_app.models import Signal, SignalStatus, Source
from signals_app.services.intake import signal_intake
from tests.core.metrics_text import Samples, names, parse_metrics, value
from tests.factories import SignalFactory, StrategyWithKey

pytestmark = pytest.mark.django_db(transaction=True)


def scrape(client: Client) -> Samples:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return parse_metrics(response.content.decode())


def post_signal(client: APIClient, **payload: Any) -> int:
    body = {"symbol": "BTCUSDT", "action": "buy", "confidence": "0.9", "quantity": "0.01", **payload}
    response = client.post("/api/v1/signals", body, format="json")
    assert response.status_code == 202, response.content
    return int(response.json()["id"])


def test_a_filled_signal_moves_every_pipeline_counter(
    client: Client, strategy_client: APIClient, eager_pipeline: None, prices: dict[str, Decimal]
) -> None:
    before = scrape(client)
    signal_id = post_signal(strategy_client)
    after = scrape(client)

    order = Order.objects.get(signal_id=signal_id, role=OrderRole.ENTRY)
    assert order.status == OrderStatus.FILLED

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("tradeengine_signals_received_total", source="api") == 1
    assert delta("tradeengine_signals_processed_total", status="accepted") == 1
    assert delta("tradeengine_signals_processed_total", status="ordered") == 1
    assert delta("tradeengine_risk_checks_total", result="approved") == 1
    assert delta("tradeengine_trades_total", status="filled", type=order.order_type.lower()) == 1
    assert delta("tradeengine_order_status_changes_total", status="filled") == 1
    assert delta("tradeengine_fills_total") == order.fills.count() == 1
    assert delta("tradeengine_latency_seconds_count", status="filled") == 1
    assert delta("tradeengine_audit_events_total", kind="signal.received") == 1
    assert delta("tradeengine_tasks_total", task="signals.process_signal", outcome="success") == 1
    assert delta("tradeengine_tasks_total", task="execution.execute_signal", outcome="success") >= 1
    assert delta("tradeengine_task_duration_seconds_count", task="signals.process_signal") == 1

    # The state gauges equal what the database says now.
    for status in OrderStatus.values:
        assert value(after, "tradeengine_orders", status=status) == Order.objects.filter(status=status).count()
    position = Position.objects.get(symbol="BTCUSDT", side="LONG")
    assert value(after, "tradeengine_position_quantity", symbol="BTCUSDT", side="LONG") == float(position.quantity)
    assert value(after, "tradeengine_position_realized_pnl_usd", symbol="BTCUSDT", side="LONG") == float(
        position.realized_pnl
    )
    assert value(after, "tradeengine_total_realized_pnl_usd") == float(position.realized_pnl) < 0  # the fee
    assert value(after, "tradeengine_open_positions") == 1
    assert value(after, "tradeengine_review_queue_depth") == 0
    assert value(after, "tradeengine_task_queue_depth", queue="signals") == 0
    assert value(after, "tradeengine_task_queue_depth", queue="execution") == 0
    assert value(after, "tradeengine_reconciliation_differences", category="order_outcome_unknown") == 0
    assert value(after, "tradeengine_reconciliation_differences", category="unknown_to_us") == 0
    assert value(after, "tradeengine_pipeline_oldest_age_seconds", stage="signal_received") == 0
    assert value(after, "tradeengine_trading_mode", mode="active") == 1
    assert value(after, "tradeengine_risk_breaker_tripped") == 0
    assert {"tradeengine_workers_alive", "tradeengine_build_info"} <= names(after)
    assert "django_http_requests_total_by_method_total" in names(after)  # django-prometheus, multiprocess too
    for source in ("orders", "review_queue", "positions", "risk", "task_queues", "workers", "build"):
        assert value(after, "tradeengine_metrics_source_up", source=source) == 1, source


def test_a_risk_rejection_is_counted_by_rule_and_reason(
    client: Client, strategy_client: APIClient, eager_pipeline: None, prices: dict[str, Decimal]
) -> None:
    before = scrape(client)
    signal_id = post_signal(strategy_client, confidence="0.3")
    after = scrape(client)

    signal = Signal.objects.get(pk=signal_id)
    assert signal.status == SignalStatus.REJECTED
    failed = [v for v in signal.risk_decision.verdicts if not v["passed"]]
    assert failed, "the gate must name the failing rule"
    for verdict in failed:
        labels = {"rule": verdict["rule"], "reason": verdict["code"]}
        assert value(after, "tradeengine_risk_rejections_total", **labels) - value(
            before, "tradeengine_risk_rejections_total", **labels
        ) == failed.count(verdict)
    reason = {"reason": signal.status_reason}
    assert value(after, "tradeengine_signals_rejected_total", **reason) == value(
        before, "tradeengine_signals_rejected_total", **reason
    ) + 1
    assert value(after, "tradeengine_risk_checks_total", result="rejected") == value(
        before, "tradeengine_risk_checks_total", result="rejected"
    ) + 1
    assert value(after, "tradeengine_trades_total", status="filled", type="market") == value(
        before, "tradeengine_trades_total", status="filled", type="market"
    )


def test_nats_intake_errors_weight_queues_reviews_and_reconciliation_are_exported(
    client: Client, strategy: StrategyWithKey, prices: dict[str, Decimal]
) -> None:
    before = scrape(client)
    # Not eager: the hand-off waits in Redis, where the queue-depth gauge must see it.
    signal_intake(
        strategy=strategy.strategy,
        data={"symbol": "ETHUSDT", "action": "buy", "confidence": Decimal("0.9")},
        idempotency_key="nats:SIGNALS:1:1",
        source=Source.NATS,
    )
    current_app.tasks["execution.submit_order"].apply(args=[987654321])  # no such order: the task fails
    audit_record(kind="reconciliation.difference", entity_type="order", entity_id=1, actor="reconciler",
                 data={"category": "unknown_to_us"})  # fmt: skip
    exchange_weight_record(exchange="binance_usdm", used_weight="1234")
    SignalFactory(strategy=strategy.strategy, symbol="DOGEUSDT", status=SignalStatus.PENDING_REVIEW)
    run = ReconciliationRun.objects.create(trigger=ReconciliationRun.Trigger.SCHEDULE, exchange="binance_usdm")
    ReconciliationIssue.objects.create(run=run, fingerprint="f1", kind="gone_from_exchange", symbol="BTCUSDT")
    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("tradeengine_nats_messages_processed_total", outcome="accepted") == 1
    assert delta("tradeengine_signals_received_total", source="nats") == 1
    assert value(after, "tradeengine_task_queue_depth", queue="signals") == 1
    assert value(after, "tradeengine_pipeline_oldest_age_seconds", stage="signal_received") > 0
    assert delta("tradeengine_errors_total", type="task_failure") == 1
    assert delta("tradeengine_tasks_total", task="execution.submit_order", outcome="failure") == 1
    assert delta("tradeengine_reconciliation_differences_found_total", category="unknown_to_us") == 1
    assert value(after, "tradeengine_exchange_used_weight", exchange="binance_usdm", interval="1m") == 1234
    assert value(after, "tradeengine_reconciliation_differences", category="gone_from_exchange") == 1
    assert value(after, "tradeengine_reconciliation_differences", category="unknown_to_us") == 0
    assert value(after, "tradeengine_review_queue_depth") == 1
    assert value(after, "tradeengine_review_queue_oldest_age_seconds") > 0
