"""Every example payload of the seed documents, posted as written, is accepted
and stored with its fields where the native contract keeps them.

The bodies are copied from /work/shared/seeds: 000 (advanced /trade), 001
(/trade/signal) and 002 (/trade). Seed 001's JSON has a `//` comment, which is
not JSON; it is the only change. Its Python examples are written out as JSON.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from petrosa.core.models import AuditEvent
from signals_app.models import Signal
from tests.factories import make_strategy

pytestmark = pytest.mark.django_db

SEED_002_TRADE = """{
  "strategy_id": "momentum_v1",
  "symbol": "BTCUSDT",
  "action": "buy",
  "price": 45000.0,
  "confidence": 0.85,
  "timestamp": "2025-06-29T12:00:00Z",
  "meta": {
    "simulate": true,
    "indicators": {"rsi": 65, "macd": "bullish"},
    "rationale": "Strong momentum breakout"
  }
}"""

SEED_002_CURL = """{
    "strategy_id": "test_strategy",
    "symbol": "BTCUSDT",
    "action": "buy",
    "price": 45000.0,
    "confidence": 0.8,
    "timestamp": "2025-06-29T12:00:00Z",
    "meta": {"simulate": true}
  }"""

SEED_000_DETERMINISTIC = """{
  "strategy_id": "momentum_v1",
  "strategy_mode": "deterministic",
  "symbol": "BTCUSDT",
  "action": "buy",
  "confidence": 0.85,
  "current_price": 45000.0,
  "order_type": "limit",
  "position_size_pct": 0.1,
  "stop_loss_pct": 0.02,
  "take_profit_pct": 0.05
}"""

SEED_000_ML_LIGHT = """{
  "strategy_id": "ml_momentum_v2",
  "strategy_mode": "ml_light",
  "symbol": "ETHUSDT",
  "action": "buy",
  "confidence": 0.78,
  "model_confidence": 0.82,
  "model_features": {
    "rsi": 65,
    "macd": "bullish",
    "volume_ratio": 1.2
  },
  "current_price": 3000.0
}"""

SEED_000_LLM_REASONING = """{
  "strategy_id": "llm_adaptive_v1",
  "strategy_mode": "llm_reasoning",
  "symbol": "BTCUSDT",
  "action": "buy",
  "confidence": 0.72,
  "llm_reasoning": "Market shows strong momentum with volume confirmation. Risk-reward ratio favorable.",
  "llm_alternatives": [
    {"action": "hold", "reason": "Wait for better entry"},
    {"action": "buy", "reason": "Strong momentum confirmed"}
  ],
  "current_price": 45000.0
}"""

SEED_000_STEP_1 = """{
  "strategy_id": "momentum_v1",
  "strategy_mode": "deterministic",
  "symbol": "BTCUSDT",
  "action": "buy",
  "confidence": 0.85,
  "current_price": 45000.0,
  "order_type": "limit",
  "position_size_pct": 0.1
}"""

SEED_000_GETTING_STARTED = """{
    "strategy_id": "test_strategy",
    "strategy_mode": "deterministic",
    "symbol": "BTCUSDT",
    "action": "buy",
    "confidence": 0.8,
    "current_price": 45000.0,
    "order_type": "limit",
    "position_size_pct": 0.1
  }"""

SEED_001_TRADE_SIGNAL = """{
  "strategy_id": "momentum_v1",
  "symbol": "BTCUSDT",
  "action": "buy",
  "price": 45000.0,
  "quantity": 0.0,
  "confidence": 0.85,
  "timestamp": "2025-06-29T12:00:00Z",
  "meta": {
    "order_type": "market",
    "stop_loss": 43000.0,
    "take_profit": 47000.0,
    "time_in_force": "GTC"
  }
}"""

SEED_001_PYTHON_MARKET = """{"strategy_id": "simple_strategy", "symbol": "BTCUSDT", "action": "buy", "price": 45000.0,
 "quantity": 0.0, "confidence": 0.8, "timestamp": "2025-06-29T12:00:00", "meta": {"order_type": "market"}}"""

SEED_001_PYTHON_LIMIT = """{"strategy_id": "advanced_strategy", "symbol": "ETHUSDT", "action": "buy", "price": 3000.0,
 "quantity": 0.005, "confidence": 0.9, "timestamp": "2025-06-29T12:00:00",
 "meta": {"order_type": "limit", "stop_loss": 2850.0, "take_profit": 3300.0, "time_in_force": "GTC"}}"""

JUNE_29_NOON = datetime(2025, 6, 29, 12, 0, tzinfo=UTC)

EXAMPLES: list[tuple[str, str, str, dict[str, Any]]] = [
    ("seed 002 POST /trade", "/trade", SEED_002_TRADE, {
        "action": "buy", "confidence": Decimal("0.85"), "order_type": "", "price": None,  # unsent: config decides
        "current_price": Decimal("45000"), "indicators": {"rsi": 65, "macd": "bullish"},
        "rationale": "Strong momentum breakout", "signal_timestamp": JUNE_29_NOON,
    }),
    ("seed 002 curl", "/trade", SEED_002_CURL, {
        "confidence": Decimal("0.8"), "price": None, "current_price": Decimal("45000"),
        "signal_timestamp": JUNE_29_NOON,
    }),
    ("seed 000 deterministic", "/trade", SEED_000_DETERMINISTIC, {
        "strategy_mode": "deterministic", "order_type": "limit", "price": Decimal("45000"),
        "current_price": Decimal("45000"), "position_size_pct": Decimal("0.1"), "stop_loss_pct": Decimal("0.02"),
        "take_profit_pct": Decimal("0.05"),
    }),
    ("seed 000 ml_light", "/trade", SEED_000_ML_LIGHT, {
        "symbol": "ETHUSDT", "strategy_mode": "ml_light", "confidence": Decimal("0.78"),
        "model_confidence": Decimal("0.82"), "model_features": {"rsi": 65, "macd": "bullish", "volume_ratio": 1.2},
        "order_type": "", "price": None, "current_price": Decimal("3000"),
    }),
    ("seed 000 llm_reasoning", "/trade", SEED_000_LLM_REASONING, {
        "strategy_mode": "llm_reasoning", "confidence": Decimal("0.72"),
        "llm_reasoning": "Market shows strong momentum with volume confirmation. Risk-reward ratio favorable.",
        "llm_alternatives": [
            {"action": "hold", "reason": "Wait for better entry"},
            {"action": "buy", "reason": "Strong momentum confirmed"},
        ],
        "current_price": Decimal("45000"),
    }),
    ("seed 000 step 1", "/trade", SEED_000_STEP_1, {
        "order_type": "limit", "price": Decimal("45000"), "position_size_pct": Decimal("0.1"),
    }),
    ("seed 000 getting started", "/trade", SEED_000_GETTING_STARTED, {
        "order_type": "limit", "price": Decimal("45000"), "confidence": Decimal("0.8"),
    }),
    ("seed 001 POST /trade/signal", "/trade/signal", SEED_001_TRADE_SIGNAL, {
        "quantity": Decimal("0"), "order_type": "market", "price": None, "current_price": Decimal("45000"),
        "stop_loss": Decimal("43000"), "take_profit": Decimal("47000"), "time_in_force": "GTC",
        "signal_timestamp": JUNE_29_NOON,
    }),
    ("seed 001 basic market order", "/trade/signal", SEED_001_PYTHON_MARKET, {
        "quantity": Decimal("0"), "order_type": "market", "price": None, "current_price": Decimal("45000"),
        "signal_timestamp": JUNE_29_NOON,
    }),
    ("seed 001 advanced limit order", "/trade/signal", SEED_001_PYTHON_LIMIT, {
        "symbol": "ETHUSDT", "quantity": Decimal("0.005"), "order_type": "limit", "price": Decimal("3000"),
        "current_price": None, "stop_loss": Decimal("2850"), "take_profit": Decimal("3300"), "time_in_force": "GTC",
        "confidence": Decimal("0.9"),
    }),
]  # fmt: skip


def client_for(strategy_name: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_strategy(strategy_name).key}")
    return client


@pytest.mark.parametrize(("example", "url", "body", "expected"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_seed_example_is_accepted_and_stored_mapped(
    example: str, url: str, body: str, expected: dict[str, Any]
) -> None:
    sent = json.loads(body)
    response = client_for(sent["strategy_id"]).post(url, data=body, content_type="application/json")

    assert response.status_code == 202, response.content
    answer = response.json()
    signal = Signal.objects.get()
    assert answer["status"] == "accepted"
    assert answer["signal_id"] == signal.pk == answer["signal"]["id"]
    assert (answer["trading_mode"], answer["simulated"], answer["replayed"]) == ("paper", True, False)
    assert signal.strategy.name == sent["strategy_id"]
    assert signal.symbol == expected.get("symbol", "BTCUSDT")
    for name, value in expected.items():
        assert getattr(signal, name) == value, name
    assert signal.meta["intake"] == {"endpoint": url, "trading_mode": "paper", "simulated": True}
    assert {k: v for k, v in signal.meta.items() if k != "intake"} == sent.get("meta", {})
    assert AuditEvent.objects.filter(kind="signal.received", entity_id=str(signal.pk)).count() == 1


def test_the_answer_carries_the_native_signal(strategy_client: APIClient) -> None:
    response = strategy_client.post("/trade/signal", data=SEED_001_TRADE_SIGNAL, content_type="application/json")
    signal = response.json()["signal"]
    assert signal["quantity"] == "0"
    assert signal["current_price"] == "45000"
    assert signal["price"] is None
    assert signal["stop_loss"] == "43000"
    assert signal["status"] == "received"
    assert response.json()["message"] == "Signal accepted for processing"
    assert response.json()["notice"] == ""


def test_a_retry_with_the_same_idempotency_key_replays(strategy_client: APIClient) -> None:
    first = strategy_client.post("/trade", data=SEED_002_TRADE, content_type="application/json",
                                 HTTP_IDEMPOTENCY_KEY="seed-1")  # fmt: skip
    again = strategy_client.post("/trade", data=SEED_002_TRADE, content_type="application/json",
                                 HTTP_IDEMPOTENCY_KEY="seed-1")  # fmt: skip
    assert first.status_code == again.status_code == 202
    assert again.json()["signal_id"] == first.json()["signal_id"]
    assert (first.json()["replayed"], again.json()["replayed"]) == (False, True)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Signal.objects.count() == 1


def test_simulate_false_on_paper_is_recorded_and_answered_as_simulated(strategy_client: APIClient) -> None:
    body = SEED_002_TRADE.replace('"simulate": true', '"simulate": false')
    response = strategy_client.post("/trade", data=body, content_type="application/json")
    assert response.status_code == 202, response.content
    answer = response.json()
    assert answer["simulated"] is True
    assert answer["trading_mode"] == "paper"
    assert "simulate=false was ignored" in answer["notice"]
    meta = Signal.objects.get().meta
    assert meta["simulate"] is False
    assert meta["intake"] == {
        "endpoint": "/trade",
        "trading_mode": "paper",
        "simulated": True,
        "simulate_ignored": True,
    }


def test_both_price_and_current_price_on_a_market_order_keep_the_price_in_meta(strategy_client: APIClient) -> None:
    body = '{"symbol": "BTCUSDT", "action": "buy", "confidence": 0.8, "price": 45010.5, "current_price": 45000}'
    response = strategy_client.post("/trade", data=body, content_type="application/json")
    assert response.status_code == 202, response.content
    signal = Signal.objects.get()
    assert (signal.price, signal.current_price) == (None, Decimal("45000"))
    assert signal.meta["intake"]["reference_price"] == "45010.5"


def test_binance_spellings_are_understood(strategy_client: APIClient) -> None:
    body = ('{"symbol": "BTCUSDT", "action": "SELL", "confidence": 0.8, "price": 45000, '
            '"meta": {"order_type": "STOP-LIMIT", "time_in_force": "gtc"}}')  # fmt: skip
    response = strategy_client.post("/trade/signal", data=body, content_type="application/json")
    assert response.status_code == 202, response.content
    signal = Signal.objects.get()
    assert (signal.action, signal.order_type, signal.time_in_force) == ("sell", "stop_limit", "GTC")
    assert signal.price == Decimal("45000")  # a limit order keeps its price as the limit
