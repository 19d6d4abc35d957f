"""Unknown names, wrong types and out-of-range values get a 400 naming the
parameter, a stable code and the valid range; nothing is saved (no partial
rows, no audit); and no body can produce a 5xx."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from configs_app.models import TradingConfig, TradingConfigVersion
from configs_app.parameter_types import Parameter
from configs_app.schema import PARAMETERS, parameters_clean
from petrosa.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PATH = "/api/v1/config/trading/BTCUSDT/LONG"


def _post(client: APIClient, parameters: Any, **extra: Any) -> Any:
    return client.post(PATH, {"parameters": parameters, "reason": "test", **extra}, format="json")


def _nothing_saved() -> None:
    assert not TradingConfig.objects.exists()
    assert not TradingConfigVersion.objects.exists()
    assert not AuditEvent.objects.filter(kind="config.changed").exists()


@pytest.mark.parametrize(
    ("parameters", "name", "code", "valid"),
    [
        ({"leverag": 5}, "leverag", "UNKNOWN_PARAMETER", {}),
        ({"leverage": "high"}, "leverage", "INVALID_TYPE", {"type": "integer", "min": "1", "max": "125"}),
        ({"leverage": 200}, "leverage", "OUT_OF_RANGE", {"type": "integer", "min": "1", "max": "125"}),
        ({"leverage": 2.5}, "leverage", "INVALID_TYPE", {"type": "integer", "min": "1", "max": "125"}),
        ({"enabled": "yes"}, "enabled", "INVALID_TYPE", {"type": "boolean"}),
        (
            {"margin_type": "portfolio"},
            "margin_type",
            "INVALID_VALUE",
            {"type": "choice", "allowed": ["isolated", "cross"]},
        ),
        ({"stop_loss_pct": 75}, "stop_loss_pct", "OUT_OF_RANGE", {"type": "decimal", "min": "0.1", "max": "50"}),
        ({"stop_loss_pct": None}, "stop_loss_pct", "INVALID_TYPE", {"type": "decimal", "min": "0.1", "max": "50"}),
        ({"allowed_symbols": "BTCUSDT"}, "allowed_symbols", "INVALID_TYPE", {"type": "symbols"}),
        ({"allowed_symbols": ["btc-usdt"]}, "allowed_symbols", "INVALID_VALUE", {"type": "symbols"}),
        ({"trading_windows": ["08:00-08:00"]}, "trading_windows", "INVALID_VALUE", {"type": "windows"}),
        ({"strategy_weights": {"momentum_v1": 11}}, "strategy_weights", "OUT_OF_RANGE", {"type": "weights"}),
    ],
)
def test_a_bad_value_names_the_parameter_its_code_and_range(
    writer: APIClient, parameters: dict, name: str, code: str, valid: dict
) -> None:
    response = _post(writer, parameters)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error" and name in error["message"]
    [problem] = error["fields"][name]
    assert problem["code"] == code and problem["valid"] == valid and name in problem["message"]
    _nothing_saved()


def test_one_bad_value_among_good_ones_saves_nothing(writer: APIClient) -> None:
    response = _post(writer, {"leverage": 20, "stop_loss_pct": 1.5, "max_retries": 99, "nonsense": 1})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"max_retries", "nonsense"}
    _nothing_saved()


def test_out_of_range_messages_say_the_valid_range_and_unit(writer: APIClient) -> None:
    message = _post(writer, {"max_daily_loss_pct": 0})
    assert message.json()["error"]["fields"]["max_daily_loss_pct"][0]["message"] == (
        "max_daily_loss_pct must be a number between 0.1 and 100 (percent, 0-100 scale); got 0"
    )


@pytest.mark.parametrize("name", [n for n, p in PARAMETERS.items() if p.type in ("integer", "decimal")])
def test_every_numeric_bound_is_enforced_at_its_edges(name: str) -> None:
    parameter: Parameter = PARAMETERS[name]
    assert parameter.minimum is not None and parameter.maximum is not None
    step = Decimal(1) if parameter.type == "integer" else Decimal("0.00000001")
    assert parameters_clean({name: str(parameter.minimum)})[1] == {}
    assert parameters_clean({name: str(parameter.maximum)})[1] == {}
    assert parameters_clean({name: str(parameter.minimum - step)})[1][name][0]["code"] == "OUT_OF_RANGE"
    assert parameters_clean({name: str(parameter.maximum + step)})[1][name][0]["code"] == "OUT_OF_RANGE"
    assert parameters_clean({name: True})[1][name][0]["code"] == "INVALID_TYPE"


@pytest.mark.parametrize("name", [n for n, p in PARAMETERS.items() if p.type == "choice"])
def test_every_choice_refuses_values_outside_its_list(name: str) -> None:
    assert parameters_clean({name: "definitely_not_a_choice"})[1][name][0]["code"] == "INVALID_VALUE"
    for choice in PARAMETERS[name].choices:
        assert parameters_clean({name: choice}) == ({name: choice}, {})


def test_nullable_overrides_accept_null_and_others_refuse_it() -> None:
    nullable = {name for name, p in PARAMETERS.items() if p.nullable}
    assert nullable == {"override_min_notional", "override_min_qty", "override_step_size"}
    for name in PARAMETERS:
        clean, errors = parameters_clean({name: None})
        assert (clean == {name: None}) if name in nullable else (errors[name][0]["code"] == "INVALID_TYPE")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "x"}, "parameters"),
        ({"parameters": {"leverage": 5}}, "reason"),
        ({"parameters": {"leverage": 5}, "reason": "   "}, "reason"),
        ({"parameters": [1, 2], "reason": "x"}, "parameters"),
        ({"leverage": 5, "reason": "x"}, "leverage"),
        ({"parameters": {"leverage": 5}, "reason": "x", "expected_version": "v2"}, "expected_version"),
        ({"parameters": {}, "reason": "x", "unset": ["leverag"]}, "leverag"),
    ],
)
def test_a_malformed_envelope_is_a_400_naming_the_field(writer: APIClient, body: dict, field: str) -> None:
    response = writer.post(PATH, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    _nothing_saved()


@pytest.mark.parametrize(
    ("path", "field"), [("/api/v1/config/trading/BTC-USDT", "symbol"), ("/api/v1/config/trading/BTCUSDT/UP", "side")]
)
def test_a_malformed_scope_is_a_400(writer: APIClient, path: str, field: str) -> None:
    response = writer.post(path, {"parameters": {"leverage": 5}, "reason": "x"}, format="json")
    assert response.status_code == 400 and field in response.json()["error"]["fields"]


def test_the_validate_endpoint_reports_errors_without_failing(writer: APIClient) -> None:
    bad = writer.post("/api/v1/config/validate", {"parameters": {"leverage": 0, "foo": 1}}, format="json")
    assert bad.status_code == 200
    data = bad.json()["data"]
    assert data["valid"] is False
    assert (data["errors"]["leverage"][0]["code"], data["errors"]["foo"][0]["code"]) == (
        "OUT_OF_RANGE",
        "UNKNOWN_PARAMETER",
    )
    good = writer.post(
        "/api/v1/config/validate", {"parameters": {"leverage": 7}, "symbol": "ETHUSDT", "side": "SHORT"}, format="json"
    ).json()["data"]
    assert good["valid"] is True and good["resolved"]["leverage"] == {"value": 7, "source": "symbol_side"}
    _nothing_saved()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**30), 10**30) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    parameters=st.dictionaries(st.sampled_from(sorted(PARAMETERS)) | st.text(max_size=12), JSON_VALUES, max_size=5),
    extra=st.dictionaries(
        st.sampled_from(["reason", "validate_only", "expected_version", "unset", "replace", "x"]),
        JSON_VALUES,
        max_size=3,
    ),
)
def test_no_body_produces_a_5xx(writer: APIClient, parameters: dict, extra: dict) -> None:
    body = json.dumps({"parameters": parameters, **extra})
    response = writer.post(PATH, body, content_type="application/json")
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert "error" in response.json()
