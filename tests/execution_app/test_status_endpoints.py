"""The seed's status endpoints: /status, /execution/status, /execution/orders,
/execution/history. Operators see everything, a strategy key its own orders,
anyone else nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from execution_app.api.status import ACTIVE_ORDER_STATUSES
from execution_app.models import FINAL_ORDER_STATUSES, Order, OrderRole, OrderStatus
from tests.factories import StrategyWithKey

pytestmark = pytest.mark.django_db(transaction=True)


def client_for(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def two_trades(
    strategy: StrategyWithKey, other_strategy: StrategyWithKey, eager_pipeline: None, prices: dict[str, Decimal]
) -> dict[str, Order]:
    orders = {}
    for who, symbol in ((strategy, "BTCUSDT"), (other_strategy, "ETHUSDT")):
        response = client_for(who.key).post(
            "/api/v1/signals", {"symbol": symbol, "action": "buy", "confidence": "0.9"}, format="json"
        )
        assert response.status_code == 202
        orders[who.name] = Order.objects.get(signal_id=response.json()["id"], role=OrderRole.ENTRY)
    assert {o.status for o in orders.values()} == {OrderStatus.FILLED}
    return orders


@pytest.fixture
def operator_client(operator: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(operator)
    return client


@pytest.mark.parametrize("path", ["/status", "/execution/status", "/execution/orders", "/execution/history"])
def test_anonymous_callers_are_refused(path: str) -> None:
    response = APIClient().get(path)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("path", ["/status", "/execution/orders"])
def test_a_user_who_is_not_an_operator_is_refused(path: str, db: Any) -> None:
    client = APIClient()
    client.force_authenticate(get_user_model().objects.create_user("viewer", password="viewer-pass-123"))
    response = client.get(path)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "operator_required"


def test_history_shows_an_operator_every_final_order_newest_first(
    operator_client: APIClient, two_trades: dict[str, Order]
) -> None:
    rows = operator_client.get("/execution/history").json()
    final = Order.objects.filter(status__in=FINAL_ORDER_STATUSES).order_by("-id")
    assert [row["id"] for row in rows] == list(final.values_list("id", flat=True))
    assert {o.pk for o in two_trades.values()} <= {row["id"] for row in rows}
    assert {row["strategy"] for row in rows} == {"momentum_v1", "mean_reversion_v1"}
    eth = next(row for row in rows if row["id"] == two_trades["mean_reversion_v1"].pk)
    assert eth["status"] == "filled" and eth["fills"][0]["price"] == "3000"
    only_btc = operator_client.get("/execution/history", {"symbol": "btcusdt"}).json()
    assert {row["symbol"] for row in only_btc} == {"BTCUSDT"}
    active = operator_client.get("/execution/orders").json()
    assert {row["id"] for row in active} == set(
        Order.objects.filter(status__in=ACTIVE_ORDER_STATUSES).values_list("id", flat=True)
    )


def test_a_strategy_key_sees_only_its_own_orders(strategy: StrategyWithKey, two_trades: dict[str, Order]) -> None:
    own = client_for(strategy.key)
    mine = Order.objects.filter(signal__strategy=strategy.strategy)
    assert {row["id"] for row in own.get("/execution/orders").json()} == set(
        mine.filter(status__in=ACTIVE_ORDER_STATUSES).values_list("id", flat=True)
    )
    history = own.get("/execution/history").json()
    assert [row["id"] for row in history] == list(
        mine.filter(status__in=FINAL_ORDER_STATUSES).order_by("-id").values_list("id", flat=True)
    )
    assert two_trades["momentum_v1"].pk in {row["id"] for row in history}
    assert {row["strategy"] for row in history} == {"momentum_v1"}


def test_a_status_filter_outside_the_endpoint_is_a_400(operator_client: APIClient, db: Any) -> None:
    response = operator_client.get("/execution/orders", {"status": "filled"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert "status" in response.json()["error"]["fields"]


def test_execution_status_counts_orders_and_names_the_exchange(
    operator_client: APIClient, two_trades: dict[str, Order]
) -> None:
    Order.objects.filter(pk=two_trades["momentum_v1"].pk).update(status=OrderStatus.UNKNOWN)
    body = operator_client.get("/execution/status").json()
    assert body["trading_mode"] == "paper"
    assert body["exchange"]["ok"] is True and body["exchange"]["detail"].startswith("paper:")
    assert body["orders_by_status"] == {s: Order.objects.filter(status=s).count() for s in OrderStatus.values}
    assert body["orders_by_status"]["unknown"] == 1
    assert body["active_orders"] == Order.objects.filter(status__in=ACTIVE_ORDER_STATUSES).count()
    assert body["unresolved"] == {"outcome_unknown": 1, "stuck_submitting": 0}
    assert body["fills"]["today"] == 2 and body["fills"]["last_at"]


def test_status_sums_up_components_risk_and_waiting_work(
    strategy: StrategyWithKey, operator_client: APIClient, two_trades: dict[str, Order]
) -> None:
    for client in (operator_client, client_for(strategy.key)):
        body = client.get("/status").json()
        assert body["trading_mode"] == "paper"
        assert body["components"]["database"] == {"status": "healthy", "detail": "postgresql"}
        assert body["risk"]["mode"] == "active" and body["risk"]["breaker_tripped"] is False
        assert body["signals_waiting"] == {}
        assert body["active_orders"] == Order.objects.filter(status__in=ACTIVE_ORDER_STATUSES).count()
        assert body["status"] == "degraded"  # no worker heartbeat in this test
