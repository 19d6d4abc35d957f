"""AI trade ideas over the API: asked for by an operator, decided by a
reviewer. Approval makes an ai_advisor signal in llm_reasoning mode that
aggregation and the risk gate judge like any other; rejection needs a
reason; an expired idea cannot be approved. Every decision is audited."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from execution_app.models import Order
from petrosa.core.market import price_set
from petrosa.core.models import AuditEvent
from risk_app.models import RiskDecision
from signals_app.models import Signal
from signals_app.models_ideas import IdeaStatus, TradeIdea
from tests.operators import make_operator, open_long, token_client

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("prices")]

ANALYZE = "/api/v1/ai/analyze"


def action_url(idea_id: int) -> str:
    return f"/api/v1/ai/ideas/{idea_id}/action"


@pytest.fixture
def losing_position() -> None:
    open_long("BTCUSDT", "0.1", "50000")
    price_set(symbol="BTCUSDT", price=Decimal("46000"), source="test")


@pytest.fixture
def idea(losing_position: None) -> TradeIdea:
    trader = token_client(make_operator("tina", role="trader"))
    response = trader.post(ANALYZE, {"symbols": ["btcusdt"]}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["advisor"] == "rules" and body["created"] == 1
    assert body["portfolio"]["positions"][0]["return_pct"] == "-0.08"
    return TradeIdea.objects.get(pk=body["ideas"][0]["id"])


def test_approved_idea_becomes_an_ai_advisor_signal_that_the_gate_decides(
    idea: TradeIdea, eager_pipeline: None
) -> None:
    reviewer = token_client(make_operator("rita", role="reviewer"))
    response = reviewer.post(action_url(idea.pk), {"action": "approve", "reason": "loss limit"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"
    signal = Signal.objects.select_related("strategy").get(pk=response.json()["signal_id"])
    assert signal.strategy.name == "ai_advisor" and signal.source == "ai_advisor"
    assert signal.strategy_mode == "llm_reasoning" and "loss limit" in signal.llm_reasoning
    assert (signal.symbol, signal.action) == ("BTCUSDT", "close")
    decision = RiskDecision.objects.get(signal=signal)  # the gate judged it
    assert decision.approved and decision.reduce_only
    order = Order.objects.get(signal=signal, role="close")
    assert order.side == "SELL" and order.quantity == Decimal("0.1") and order.reduce_only
    approved = AuditEvent.objects.get(kind="trade_idea.approved")
    assert approved.actor == "user:rita" and approved.data["signal_id"] == signal.pk
    assert AuditEvent.objects.get(kind="signal.received", entity_id=str(signal.pk)).actor == "user:rita"


def test_an_idea_is_decided_once(idea: TradeIdea, eager_pipeline: None) -> None:
    reviewer = token_client(make_operator("rita", role="reviewer"))
    assert reviewer.post(action_url(idea.pk), {"action": "approve"}, format="json").status_code == 200
    again = reviewer.post(action_url(idea.pk), {"action": "approve"}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "idea_not_pending"
    assert Signal.objects.filter(source="ai_advisor").count() == 1


def test_reject_needs_a_reason_and_is_audited(idea: TradeIdea) -> None:
    reviewer = token_client(make_operator("rita", role="reviewer"))
    blank = reviewer.post(action_url(idea.pk), {"action": "reject", "reason": "  "}, format="json")
    assert blank.status_code == 400 and blank.json()["error"]["fields"]["reason"]
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.PENDING

    response = reviewer.post(action_url(idea.pk), {"action": "reject", "reason": "news due"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert response.json()["decision_reason"] == "news due" and response.json()["signal_id"] is None
    event = AuditEvent.objects.get(kind="trade_idea.rejected")
    assert (event.actor, event.data["reason"]) == ("user:rita", "news due")
    assert not Signal.objects.filter(source="ai_advisor").exists()


def test_an_expired_idea_cannot_be_approved(idea: TradeIdea) -> None:
    TradeIdea.objects.filter(pk=idea.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    reviewer = token_client(make_operator("rita", role="reviewer"))
    response = reviewer.post(action_url(idea.pk), {"action": "approve"}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "idea_expired"
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.EXPIRED and idea.signal_id is None
    assert AuditEvent.objects.filter(kind="trade_idea.expired", entity_id=str(idea.pk)).exists()
    assert not Signal.objects.filter(source="ai_advisor").exists()


def test_list_filters_by_status(idea: TradeIdea) -> None:
    viewer = token_client(make_operator("vic", role="viewer"))
    pending = viewer.get("/api/v1/ai/ideas?status=pending").json()
    assert [row["id"] for row in pending] == [idea.pk]
    assert viewer.get("/api/v1/ai/ideas?status=rejected").json() == []


def test_bad_input_is_a_400_with_fields(losing_position: None) -> None:
    trader = token_client(make_operator("tina", role="trader"))
    response = trader.post(ANALYZE, {"symbols": ["B!"], "ttl_seconds": 5}, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"symbols", "ttl_seconds"}
    assert not TradeIdea.objects.exists()


def test_a_strategy_key_cannot_use_the_ai_endpoints(idea: TradeIdea, strategy_client: Any) -> None:
    assert strategy_client.post(ANALYZE, {}, format="json").status_code == 401
    assert strategy_client.post(action_url(idea.pk), {"action": "approve"}, format="json").status_code == 401
