"""Seed 004's "Configuration Hierarchy Example", verbatim, through the API:
global, symbol and symbol-side configs resolve for a BTCUSDT LONG trade
exactly as written there, and the resolved view names each value's source."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from configs_app.schema import PARAMETERS, defaults
from configs_app.services import config_resolve, config_resolve_explained

pytestmark = pytest.mark.django_db

SEED_GLOBAL = {"leverage": 10, "position_size_pct": Decimal("0.1"), "stop_loss_pct": Decimal("2.0")}
SEED_SYMBOL = {"leverage": 15, "position_size_pct": Decimal("0.15")}
SEED_SYMBOL_SIDE = {"leverage": 20, "take_profit_pct": Decimal("6.0")}


def _post(client: APIClient, path: str, parameters: dict) -> dict:
    body = {"parameters": parameters, "changed_by": "llm_agent_v1", "reason": "seed 004 hierarchy example"}
    response = client.post(path, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_the_seed_example_resolves_exactly_as_written(writer: APIClient) -> None:
    _post(writer, "/api/v1/config/trading", SEED_GLOBAL)
    _post(writer, "/api/v1/config/trading/BTCUSDT", SEED_SYMBOL)
    _post(writer, "/api/v1/config/trading/BTCUSDT/LONG", SEED_SYMBOL_SIDE)

    resolved = config_resolve(symbol="BTCUSDT", side="LONG")
    assert resolved["leverage"] == 20  # from symbol-side
    assert resolved["position_size_pct"] == Decimal("0.15")  # from symbol
    assert resolved["stop_loss_pct"] == Decimal("2.0")  # from global
    assert resolved["take_profit_pct"] == Decimal("6.0")  # from symbol-side
    others = {
        name: value
        for name, value in resolved.items()
        if name not in {"leverage", "position_size_pct", "stop_loss_pct", "take_profit_pct"}
    }
    assert others == {name: value for name, value in defaults().items() if name in others}  # "... all other defaults"

    sources = config_resolve_explained(symbol="BTCUSDT", side="LONG").sources
    assert (
        sources["leverage"],
        sources["position_size_pct"],
        sources["stop_loss_pct"],
        sources["take_profit_pct"],
    ) == ("symbol_side", "symbol", "global", "symbol_side")
    assert sources["max_retries"] == "default"


def test_other_sides_and_symbols_do_not_see_the_more_specific_scopes(writer: APIClient) -> None:
    _post(writer, "/api/v1/config/trading", SEED_GLOBAL)
    _post(writer, "/api/v1/config/trading/BTCUSDT", SEED_SYMBOL)
    _post(writer, "/api/v1/config/trading/BTCUSDT/LONG", SEED_SYMBOL_SIDE)

    short = config_resolve(symbol="BTCUSDT", side="SHORT")
    assert (short["leverage"], short["take_profit_pct"]) == (15, PARAMETERS["take_profit_pct"].default)
    eth = config_resolve(symbol="ETHUSDT", side="LONG")
    assert (eth["leverage"], eth["position_size_pct"], eth["stop_loss_pct"]) == (10, Decimal("0.1"), Decimal("2.0"))
    assert config_resolve()["leverage"] == 10


def test_the_api_shows_the_resolved_view_with_sources(writer: APIClient) -> None:
    _post(writer, "/api/v1/config/trading", SEED_GLOBAL)
    _post(writer, "/api/v1/config/trading/BTCUSDT", SEED_SYMBOL)
    created = _post(writer, "/api/v1/config/trading/BTCUSDT/LONG", SEED_SYMBOL_SIDE)
    assert created["metadata"] == {"action": "created", "scope": "symbol_side", "validate_only": False}
    assert created["data"]["version"] == 1 and created["data"]["source"] == "database"

    view = writer.get("/api/v1/config/trading/btcusdt/long").json()["data"]
    assert (view["symbol"], view["side"]) == ("BTCUSDT", "LONG")
    assert view["parameters"] == {"leverage": 20, "take_profit_pct": "6.0"}
    assert view["resolved"]["leverage"] == {"value": 20, "source": "symbol_side"}
    assert view["resolved"]["position_size_pct"] == {"value": "0.15", "source": "symbol"}
    assert view["resolved"]["stop_loss_pct"] == {"value": "2.0", "source": "global"}
    assert view["resolved"]["margin_type"] == {"value": "isolated", "source": "default"}
