"""Each processing mode changes what happens to a signal."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from execution_app.models import Order
from signals_app.models import Signal

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager_pipeline", "prices")]


@pytest.fixture(autouse=True)
def _unleveraged(transactional_db: object) -> None:
    # Futures sizing multiplies by leverage (default 10); these tests measure the mode's factor alone.
    from configs_app.services import config_set_global

    config_set_global(parameters={"leverage": 1}, changed_by="test", reason="measure the mode factor alone")


def post(client: APIClient, **payload: object) -> Signal:
    response = client.post("/api/v1/signals", data={"symbol": "BTCUSDT", "action": "buy", **payload}, format="json")
    assert response.status_code == 202, response.content
    signal = Signal.objects.get(pk=response.json()["id"])
    return signal


def test_deterministic_sizes_by_confidence(strategy_client: APIClient) -> None:
    signal = post(strategy_client, confidence=0.8)
    # 100000 × 0.02 × 0.8 = 1600 USDT / 50000 = 0.032
    assert Order.objects.get(signal=signal, role="entry").quantity == Decimal("0.032")
    assert signal.effective_confidence == Decimal("0.8")


def test_ml_light_blends_model_confidence_into_the_threshold_and_the_size(strategy_client: APIClient) -> None:
    features = {"rsi": 65, "macd": "bullish"}
    signal = post(strategy_client, confidence=0.5, model_confidence=0.9, strategy_mode="ml_light",
                  model_features=features)  # fmt: skip
    # (0.5 + 0.9) / 2 = 0.7 ≥ 0.6, although 0.5 alone would be refused
    assert signal.effective_confidence == Decimal("0.7")
    assert signal.risk_decision.approved
    # 100000 × 0.02 × 0.7 = 1400 / 50000 = 0.028
    assert Order.objects.get(signal=signal, role="entry").quantity == Decimal("0.028")
    assert signal.model_features == features


def test_ml_light_with_a_weak_model_is_refused(strategy_client: APIClient) -> None:
    signal = post(strategy_client, confidence=0.8, model_confidence=0.2, strategy_mode="ml_light")
    signal.refresh_from_db()
    assert signal.effective_confidence == Decimal("0.5")
    assert signal.status_reason == "confidence_below_threshold"


def test_llm_reasoning_is_sized_conservatively_and_keeps_its_alternatives(strategy_client: APIClient) -> None:
    alternatives = [{"action": "hold", "reason": "Wait for better entry"}]
    signal = post(strategy_client, confidence=0.8, strategy_mode="llm_reasoning",
                  llm_reasoning="Strong momentum with volume confirmation.", llm_alternatives=alternatives)  # fmt: skip
    # 100000 × 0.02 × 0.8 × 0.5 = 800 / 50000 = 0.016
    assert Order.objects.get(signal=signal, role="entry").quantity == Decimal("0.016")
    assert signal.llm_alternatives == alternatives


def test_llm_reasoning_without_reasoning_is_a_400(strategy_client: APIClient) -> None:
    response = strategy_client.post(
        "/api/v1/signals", data={"symbol": "BTCUSDT", "action": "buy", "confidence": 0.8,
                                 "strategy_mode": "llm_reasoning"}, format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert "llm_reasoning" in response.json()["error"]["fields"]
    assert not Signal.objects.exists()
