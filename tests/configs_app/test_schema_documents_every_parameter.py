"""The schema holds seed 004's 31 parameters plus the risk gate's extras, each
documented in seed 004 §4's shape, with defaults and examples its own bounds
accept, and the percent convention that accepts the seed's examples."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from configs_app.schema import PARAMETERS, SEED_PARAMETERS, defaults, parameters_clean

SEED_004 = {
    "order_execution": {"leverage", "margin_type", "default_order_type", "time_in_force", "position_mode"},
    "position_sizing": {
        "position_size_pct",
        "max_position_size_usd",
        "min_position_size_usd",
        "quantity_multiplier",
        "use_exchange_minimums",
        "override_min_notional",
        "override_min_qty",
        "override_step_size",
    },
    "risk_management": {
        "stop_loss_pct",
        "take_profit_pct",
        "max_daily_loss_pct",
        "max_portfolio_exposure_pct",
        "max_daily_trades",
        "max_concurrent_positions",
        "risk_management_enabled",
    },
    "signal_processing": {
        "signal_conflict_resolution",
        "timeframe_conflict_resolution",
        "max_signal_age_seconds",
        "min_confidence_threshold",
    },
    "strategy_weights": {"strategy_weights", "timeframe_weights"},
    "advanced": {"enabled", "enable_shorts", "enable_longs", "slippage_tolerance_pct", "max_retries"},
}
EXTRAS = {
    "max_accumulations",
    "review_max_age_seconds",
    "review_max_price_drift_pct",
    "allowed_symbols",
    "max_positions_per_symbol",
    "duplicate_signal_window_seconds",
    "trading_windows",
    "max_leverage",
    "max_orders_per_minute",
}


def test_the_31_seed_parameters_are_there_in_their_categories() -> None:
    expected = set().union(*SEED_004.values())
    assert len(expected) == 31 and set(SEED_PARAMETERS) == expected
    for category, names in SEED_004.items():
        assert {PARAMETERS[name].category for name in names} == {category}
    assert set(PARAMETERS) == expected | EXTRAS


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_every_parameter_is_documented_and_its_default_and_example_are_valid(name: str) -> None:
    parameter = PARAMETERS[name]
    for text in (parameter.description, parameter.impact, parameter.when_to_change):
        assert len(text) > 20
    assert parameter.clean(parameter.default) == parameter.default
    assert parameter.clean(parameter.example) is not None or parameter.nullable
    if parameter.type in ("integer", "decimal"):
        assert parameter.minimum is not None and parameter.maximum is not None
    if parameter.type == "choice":
        assert parameter.default in parameter.choices
    if name.endswith("_pct"):
        assert parameter.unit == "percent" and parameter.maximum is not None and parameter.maximum >= 10


def test_percent_parameters_accept_the_seed_examples_as_percents() -> None:
    clean, errors = parameters_clean(
        {
            "leverage": 20,
            "position_size_pct": Decimal("0.15"),
            "stop_loss_pct": Decimal("1.5"),
            "take_profit_pct": Decimal("6.0"),
        }
    )
    assert errors == {}
    assert clean["position_size_pct"] == Decimal("0.15")  # 0.15 % of equity
    assert defaults()["stop_loss_pct"] == Decimal("2.0") and defaults()["position_size_pct"] == Decimal("2")


def test_position_mode_accepts_the_seed_spelling() -> None:
    assert parameters_clean({"position_mode": "one-way"}) == ({"position_mode": "one_way"}, {})


@pytest.mark.django_db
def test_the_schema_endpoint_documents_units_and_every_parameter(reader: APIClient) -> None:
    body = reader.get("/api/v1/config/trading/schema").json()
    assert body["success"] is True
    data = body["data"]
    assert "0-100" in data["unit_convention"] and "fraction" in data["unit_convention"]
    assert set(data["parameters"]) == set(PARAMETERS)
    leverage = data["parameters"]["leverage"]
    assert {k: leverage[k] for k in ("type", "default", "min", "max", "example", "category")} == {
        "type": "integer",
        "default": 10,
        "min": "1",
        "max": "125",
        "example": 10,
        "category": "order_execution",
    }
    for document in data["parameters"].values():
        assert {"description", "impact", "when_to_change", "unit", "default", "example"} <= set(document)
    assert data["parameters"]["margin_type"]["allowed_values"] == ["isolated", "cross"]
    assert data["parameters"]["override_min_notional"]["nullable"] is True


@pytest.mark.django_db
def test_the_defaults_endpoint_matches_the_schema(reader: APIClient) -> None:
    data = reader.get("/api/v1/config/trading/defaults").json()["data"]["parameters"]
    assert data == {name: PARAMETERS[name].to_json(value) for name, value in defaults().items()}
    assert data["stop_loss_pct"] == "2.0" and data["override_min_qty"] is None and data["trading_windows"] == []


@pytest.mark.django_db
def test_both_health_paths_answer(reader: APIClient) -> None:
    for path in ("/api/v1/config/health", "/api/v1/config/trading/health"):
        data = reader.get(path).json()["data"]
        assert data["status"] == "ok" and data["cache"] == "ok" and data["parameters"] == len(PARAMETERS)
