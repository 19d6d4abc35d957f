"""The seed → native translation on its own: pure functions, no database."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from rest_framework.exceptions import ValidationError

from petrosa.core.errors import Unprocessable
from signals_app.services.seed_payloads import trade_payload_translate, trade_signal_payload_translate

SEED_001 = {
    "strategy_id": "momentum_v1", "symbol": "BTCUSDT", "action": "buy", "price": Decimal("45000.0"),
    "quantity": Decimal("0.0"), "confidence": Decimal("0.85"), "timestamp": "2025-06-29T12:00:00Z",
    "meta": {"order_type": "market", "stop_loss": Decimal("43000.0"), "take_profit": Decimal("47000.0"),
             "time_in_force": "GTC"},
}  # fmt: skip


def test_seed_001_lifts_meta_and_moves_a_market_price_to_current_price() -> None:
    translation = trade_signal_payload_translate(SEED_001, trading_mode="paper")
    data = translation.data
    assert "price" not in data
    assert data["current_price"] == Decimal("45000.0")
    assert data["quantity"] == Decimal("0.0")
    assert (data["order_type"], data["time_in_force"]) == ("market", "GTC")
    assert (data["stop_loss"], data["take_profit"]) == (Decimal("43000.0"), Decimal("47000.0"))
    assert translation.field_origins == {
        "current_price": "price", "order_type": "meta.order_type", "stop_loss": "meta.stop_loss",
        "take_profit": "meta.take_profit", "time_in_force": "meta.time_in_force",
    }  # fmt: skip


def test_the_client_payload_is_not_changed() -> None:
    sent = copy.deepcopy(SEED_001)
    trade_signal_payload_translate(sent, trading_mode="paper")
    assert sent == SEED_001


def test_meta_is_kept_with_floats_for_the_json_column_and_our_intake_note() -> None:
    meta = trade_signal_payload_translate(SEED_001, trading_mode="paper").data["meta"]
    assert meta == {
        "order_type": "market", "stop_loss": 43000.0, "take_profit": 47000.0, "time_in_force": "GTC",
        "intake": {"endpoint": "/trade/signal", "trading_mode": "paper", "simulated": True},
    }  # fmt: skip
    assert isinstance(meta["stop_loss"], float)


def test_a_limit_order_with_only_current_price_is_limited_there() -> None:
    payload = {"symbol": "BTCUSDT", "action": "buy", "confidence": 1, "order_type": "limit", "current_price": 45000}
    translation = trade_payload_translate(payload, trading_mode="paper")
    assert (translation.data["price"], translation.data["current_price"]) == (45000, 45000)
    assert translation.field_origins == {"price": "current_price"}


def test_target_price_is_the_limit_when_sent() -> None:
    payload = {"symbol": "BTCUSDT", "action": "buy", "confidence": 1, "order_type": "limit", "current_price": 45000,
               "target_price": 44900}  # fmt: skip
    translation = trade_payload_translate(payload, trading_mode="paper")
    assert translation.data["price"] == 44900
    assert "target_price" not in translation.data
    assert translation.field_origins == {"price": "target_price"}


def test_a_limit_price_is_left_alone() -> None:
    payload = {"symbol": "BTCUSDT", "action": "buy", "confidence": 1, "order_type": "limit", "price": 44000,
               "current_price": 45000}  # fmt: skip
    translation = trade_payload_translate(payload, trading_mode="paper")
    assert (translation.data["price"], translation.data["current_price"]) == (44000, 45000)
    assert translation.field_origins == {}


def test_the_same_value_at_the_top_and_in_meta_is_not_a_conflict() -> None:
    payload = {"symbol": "BTCUSDT", "action": "buy", "confidence": 1, "rationale": "x", "meta": {"rationale": "x"}}
    assert trade_payload_translate(payload, trading_mode="paper").data["rationale"] == "x"


def test_simulate_false_on_paper_leaves_a_notice() -> None:
    payload = {"symbol": "BTCUSDT", "action": "buy", "confidence": 1, "meta": {"simulate": False}}
    translation = trade_payload_translate(payload, trading_mode="paper")
    assert translation.simulated is True
    assert translation.notice.startswith("meta.simulate=false was ignored")
    assert translation.data["meta"]["simulate"] is False
    assert translation.data["meta"]["intake"]["simulate_ignored"] is True


@pytest.mark.parametrize("mode", ["testnet", "live"])
def test_simulate_true_off_paper_is_refused(mode: str) -> None:
    payload = {"symbol": "BTCUSDT", "action": "buy", "confidence": 1, "meta": {"simulate": True}}
    with pytest.raises(Unprocessable) as refused:
        trade_payload_translate(payload, trading_mode=mode)
    assert refused.value.code == "simulation_unavailable"
    assert list(refused.value.fields) == ["meta.simulate"]


def test_several_errors_are_reported_together() -> None:
    payload = {"symbol": "BTCUSDT", "action": "buy", "confidence": 1, "stop_loss_pct": 2,
               "meta": {"simulate": "no", "order_type": "limit"}, "order_type": "market"}  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        trade_signal_payload_translate(payload, trading_mode="paper")
    assert set(refused.value.detail) == {"meta.simulate", "meta.order_type", "stop_loss_pct"}
