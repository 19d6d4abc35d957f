"""POST /api/v1/market/simulate (seed 003's /market/simulate): an operator
pushes a price; it is stored, audited, and travels as a market tick, so the
built-in strategies react to it at once. Strategy keys and non-operators are
refused; so is any simulation while trading real money."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import override_settings
from rest_framework.test import APIClient

from petrosa.core.models import AuditEvent, MarketPrice
from petrosa.core.user_tokens import user_token_create
from signals_app.models import Signal, SignalStatus
from tests.factories import StrategyWithKey
from tests.signals_app.engine_ticks import builtin

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager_pipeline")]


@pytest.fixture
def operator_client(operator: Any) -> APIClient:
    client = APIClient()
    client.force_login(operator)
    return client


def test_an_operator_sets_a_price_and_it_is_audited(operator_client: APIClient) -> None:
    MarketPrice.objects.create(symbol="BTCUSDT", price=Decimal("65000"))
    response = operator_client.post("/api/v1/market/simulate", {"symbol": "btcusdt", "price": "64000.5"},
                                    format="json")  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["symbol"], body["price"], body["previous_price"], body["source"]) == (
        "BTCUSDT", "64000.5", "65000", "simulate",
    )  # fmt: skip
    stored = MarketPrice.objects.get(symbol="BTCUSDT")
    assert (stored.price, stored.source) == (Decimal("64000.5"), "simulate")
    event = AuditEvent.objects.get(kind="market.price_simulated")
    assert (event.actor, event.entity_id, event.data["price"], event.data["before"]) == (
        "user:op", "BTCUSDT", "64000.5", "65000",
    )  # fmt: skip


def test_the_seed_query_string_form_works_with_a_user_token(operator: Any) -> None:
    _, token = user_token_create(user=operator, name="script", actor="user:op")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.post("/market/simulate?symbol=SPY&price=450.00")
    assert response.status_code == 200, response.content
    assert MarketPrice.objects.get(symbol="SPY").price == Decimal("450")


def test_simulated_prices_drive_the_builtin_strategies(operator_client: APIClient) -> None:
    builtin("ma", "ma_crossover", {"short_period": 2, "long_period": 4, "cooldown_seconds": 0})
    for price in ["60000", "60600", "60000", "60600", "60000", "60600", "60000", "63000"]:
        response = operator_client.post("/api/v1/market/simulate", {"symbol": "BTCUSDT", "price": price},
                                        format="json")  # fmt: skip
        assert response.status_code == 200
    signal = Signal.objects.get(strategy__name="ma")
    assert (signal.action, signal.confidence, signal.status) == ("buy", Decimal("0.77094"), SignalStatus.ORDERED)


@pytest.mark.parametrize(
    ("body", "field"),
    [({"symbol": "BTCUSDT", "price": "0"}, "price"), ({"symbol": "BTCUSDT", "price": "-1"}, "price"),
     ({"symbol": "BTCUSDT", "price": "abc"}, "price"), ({"symbol": "BTC/USDT", "price": "1"}, "symbol"),
     ({"price": "1"}, "symbol")],
)  # fmt: skip
def test_bad_input_is_a_400_naming_the_field(operator_client: APIClient, body: dict[str, str], field: str) -> None:
    response = operator_client.post("/api/v1/market/simulate", body, format="json")
    assert response.status_code == 400 and field in response.json()["error"]["fields"]
    assert not MarketPrice.objects.exists() and not AuditEvent.objects.filter(kind="market.price_simulated")


def test_who_may_simulate(strategy: StrategyWithKey) -> None:
    body = {"symbol": "BTCUSDT", "price": "1"}
    anonymous = APIClient().post("/api/v1/market/simulate", body, format="json")
    assert anonymous.status_code == 401

    key_client = APIClient()
    key_client.credentials(HTTP_AUTHORIZATION=f"Bearer {strategy.key}")
    refused = key_client.post("/api/v1/market/simulate", body, format="json")
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "operator_required")

    staff = get_user_model().objects.create_user("viewer", is_staff=True)
    staff_client = APIClient()
    staff_client.force_authenticate(staff)
    assert staff_client.post("/api/v1/market/simulate", body, format="json").status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="change_marketprice"))
    staff_client.force_authenticate(get_user_model().objects.get(pk=staff.pk))
    assert staff_client.post("/api/v1/market/simulate", body, format="json").status_code == 200


@override_settings(TRADING_MODE="live")
def test_refused_while_trading_real_money(operator_client: APIClient) -> None:
    response = operator_client.post("/api/v1/market/simulate", {"symbol": "BTCUSDT", "price": "1"}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (422, "simulation_unavailable")
    assert not MarketPrice.objects.exists()
