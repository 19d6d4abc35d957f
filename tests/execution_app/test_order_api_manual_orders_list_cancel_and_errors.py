"""The order endpoints: a manual order goes through aggregation and the same risk gate;
listing with filters and pages; one order with its fills and legs; cancelling (409 once
finished); the seed paths; field-level 4xx errors. Three personas: an operator with the
permissions, staff without them, and a strategy key."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any, Callable

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from execution_app.models import Order, OrderStatus
from petrosa.core.models import AuditEvent
from petrosa.core.user_tokens import user_token_create
from risk_app.services.kill_switch import risk_set_mode
from signals_app.models import Signal
from tests.execution_app.order_helpers import accepted_signal, configure
from tests.factories import StrategyWithKey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("prices", "eager_pipeline")]


@pytest.fixture(autouse=True)
def _config(db: Any) -> None:
    configure(risk_management_enabled=False, duplicate_signal_window_seconds=0, max_positions_per_symbol=10)


def _staff(username: str, *permissions: str) -> Any:
    user = get_user_model().objects.create_user(username, password="pw-123456-abc", is_staff=True)
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


@pytest.fixture
def trader() -> APIClient:
    """An operator with both order permissions, on a user API token (Authorization: Token)."""
    user = _staff("trader", "place_manual_order", "cancel_order")
    _, plaintext = user_token_create(user=user, name="tests", actor="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {plaintext}")
    return client


@pytest.fixture
def viewer() -> APIClient:
    """Staff without the order permissions, on a session."""
    client = APIClient()
    client.force_login(_staff("viewer"))
    return client


@pytest.fixture
def run(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Send a request and let everything it hands on after commit run (eager Celery)."""

    def send(method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return method(*args, format="json", **kwargs)

    return send


def test_a_manual_order_is_a_signal_that_passes_the_same_gate(trader: APIClient, run: Callable[..., Any]) -> None:
    response = run(trader.post, "/api/v1/orders", {"symbol": "btcusdt", "side": "BUY", "quantity": "0.01",
                                                   "reason": "rebalance"})  # fmt: skip
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "received"  # decided after commit, by the pipeline's tasks
    body = trader.get(f"/api/v1/signals/{response.json()['id']}").json()
    signal = Signal.objects.get(pk=body["id"])
    assert (signal.source, signal.strategy.name, signal.action, signal.rationale) == ("manual", "manual", "buy",
                                                                                     "rebalance")  # fmt: skip
    assert body["status"] == "ordered" and body["decision"]["approved"] is True
    assert {v["rule"] for v in body["decision"]["verdicts"]} >= {"kill_switch", "position_size", "max_daily_trades"}
    assert body["orders"][0]["status"] == "filled" and body["orders"][0]["quantity"] == "0.01"
    received = AuditEvent.objects.get(kind="signal.received", entity_id=str(signal.pk))
    assert received.actor == "user:trader"


def test_the_gate_refuses_a_manual_entry_while_halted_but_lets_a_close_through(
    trader: APIClient, run: Callable[..., Any]
) -> None:
    run(trader.post, "/api/v1/orders", {"symbol": "BTCUSDT", "side": "BUY", "quantity": "0.01"})
    risk_set_mode(mode="halted", actor="user:trader", reason="test")
    refused = run(trader.post, "/api/v1/orders", {"symbol": "BTCUSDT", "side": "BUY", "quantity": "0.01"}).json()
    refused = trader.get(f"/api/v1/signals/{refused['id']}").json()
    assert (refused["status"], refused["status_reason"], refused["orders"]) == ("rejected", "kill_switch_halted", [])
    closed = run(trader.post, "/api/v1/orders", {"symbol": "BTCUSDT", "action": "close"}).json()
    closed = trader.get(f"/api/v1/signals/{closed['id']}").json()
    assert closed["status"] == "ordered"
    assert (closed["orders"][0]["role"], closed["orders"][0]["status"]) == ("close", "filled")


def test_who_may_place_manual_orders(viewer: APIClient, strategy_client: APIClient) -> None:
    payload = {"symbol": "BTCUSDT", "side": "BUY", "quantity": "0.01"}
    assert APIClient().post("/api/v1/orders", payload, format="json").status_code == 401
    by_key = strategy_client.post("/api/v1/orders", payload, format="json")
    assert (by_key.status_code, by_key.json()["error"]["code"]) == (403, "operator_required")
    no_perm = viewer.post("/api/v1/orders", payload, format="json")
    assert (no_perm.status_code, no_perm.json()["error"]["code"]) == (403, "permission_denied")
    assert not Signal.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"symbol": "BTCUSDT", "quantity": "0.01"}, "side"),
        ({"symbol": "BTC", "side": "BUY"}, "symbol"),
        ({"symbol": "BTCUSDT", "side": "BUY", "order_type": "limit"}, "price"),
        ({"symbol": "BTCUSDT", "side": "BUY", "order_type": "stop"}, "price"),
        ({"symbol": "BTCUSDT", "side": "BUY", "quantity": "-1"}, "quantity"),
        ({"symbol": "BTCUSDT", "side": "BUY", "order_type": "market", "price": "50000", "stop_loss": "51000"},
         "stop_loss"),
        ({"symbol": "BTCUSDT", "side": "BUY", "time_in_force": "GTD"}, "time_in_force"),
        ({"symbol": "BTCUSDT", "action": "close", "side": "SELL"}, "side"),
    ],
)
def test_bad_manual_orders_get_field_errors_and_save_nothing(trader: APIClient, payload: dict[str, Any],
                                                             field: str) -> None:  # fmt: skip
    response = trader.post("/api/v1/orders", payload, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error" and field in error["fields"], error
    assert not Signal.objects.exists() and not AuditEvent.objects.filter(kind="signal.received").exists()


def _orders(strategy: StrategyWithKey, other: StrategyWithKey) -> list[Order]:
    from execution_app.services.pipeline import signal_execute

    made = []
    for owner, fields in ((strategy, {"quantity": D("0.01")}),
                          (strategy, {"order_type": "limit", "price": D("49000"), "quantity": D("0.01")}),
                          (other, {"action": "sell", "quantity": D("0.02")})):  # fmt: skip
        signal = accepted_signal(owner.strategy, **fields)
        signal_execute(signal_id=signal.pk)
        made.append(Order.objects.get(signal=signal))
    return made


def test_listing_filters_pages_and_scopes(viewer: APIClient, strategy_client: APIClient, strategy: StrategyWithKey,
                                          other_strategy: StrategyWithKey) -> None:  # fmt: skip
    market, limit, other = _orders(strategy, other_strategy)
    page = viewer.get("/api/v1/orders?limit=2").json()
    assert (page["count"], page["limit"], page["offset"]) == (3, 2, 0)
    assert [o["id"] for o in page["results"]] == [other.pk, limit.pk]
    assert [o["id"] for o in viewer.get("/api/v1/orders?limit=2&offset=2").json()["results"]] == [market.pk]
    assert [o["id"] for o in viewer.get("/api/v1/orders?status=open").json()["results"]] == [limit.pk]
    assert [o["id"] for o in viewer.get("/api/v1/orders?side=sell").json()["results"]] == [other.pk]
    assert viewer.get(f"/api/v1/orders?strategy={other_strategy.name}").json()["count"] == 1
    own = strategy_client.get("/api/v1/orders").json()
    assert sorted(o["id"] for o in own["results"]) == [market.pk, limit.pk]
    assert strategy_client.get(f"/api/v1/orders/{other.pk}").status_code == 404
    bad = viewer.get("/api/v1/orders?limit=0")
    assert bad.status_code == 400 and "limit" in bad.json()["error"]["fields"]
    bad = viewer.get("/api/v1/orders?status=done")
    assert bad.status_code == 400 and "status" in bad.json()["error"]["fields"]
    detail = viewer.get(f"/api/v1/orders/{market.pk}").json()
    assert (detail["strategy"], detail["role"], detail["fills"][0]["price"]) == (strategy.name, "entry", "50000")
    assert viewer.get("/api/v1/orders/999999").json()["error"]["code"] == "not_found"


def test_cancelling_a_resting_order_then_cancelling_again(trader: APIClient, viewer: APIClient,
                                                         strategy: StrategyWithKey,
                                                         other_strategy: StrategyWithKey) -> None:  # fmt: skip
    market, limit, _ = _orders(strategy, other_strategy)
    assert viewer.delete(f"/api/v1/orders/{limit.pk}").json()["error"]["code"] == "permission_denied"
    response = trader.delete(f"/api/v1/orders/{limit.pk}?reason=too+far+from+the+market")
    assert response.status_code == 200 and response.json()["status"] == "canceled"
    requested = AuditEvent.objects.get(kind="order.cancel_requested", entity_id=str(limit.pk))
    assert (requested.actor, requested.data["reason"]) == ("user:trader", "too far from the market")
    again = trader.delete(f"/api/v1/orders/{limit.pk}")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "order_finished")
    filled = trader.delete(f"/api/v1/orders/{market.pk}")
    assert (filled.status_code, filled.json()["error"]["code"]) == (409, "order_finished")


@pytest.mark.parametrize("body", ["5", "[1, 2]", '"cancel"'])
def test_a_cancel_body_that_is_not_an_object_is_a_400_and_cancels_nothing(
    trader: APIClient, strategy: StrategyWithKey, other_strategy: StrategyWithKey, body: str
) -> None:
    _, limit, _ = _orders(strategy, other_strategy)
    response = trader.delete(f"/api/v1/orders/{limit.pk}", data=body, content_type="application/json")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "validation_error")
    assert Order.objects.get(pk=limit.pk).status != OrderStatus.CANCELED


def test_a_strategy_may_cancel_its_own_orders_only(strategy_client: APIClient, strategy: StrategyWithKey,
                                                   other_strategy: StrategyWithKey) -> None:  # fmt: skip
    _, limit, other = _orders(strategy, other_strategy)
    assert strategy_client.delete(f"/api/v1/orders/{other.pk}").status_code == 404
    assert strategy_client.delete(f"/api/v1/orders/{limit.pk}").json()["status"] == "canceled"


def test_the_seed_paths_find_an_order_by_exchange_or_client_order_id(
    trader: APIClient, strategy: StrategyWithKey, other_strategy: StrategyWithKey
) -> None:
    market, limit, _ = _orders(strategy, other_strategy)
    by_exchange_id = trader.get(f"/order/BTCUSDT/{market.exchange_order_id}").json()
    by_client_id = trader.get(f"/order/btcusdt/{market.client_order_id}").json()
    assert by_exchange_id["id"] == by_client_id["id"] == market.pk
    assert trader.get(f"/order/ETHUSDT/{market.client_order_id}").status_code == 404
    cancelled = trader.delete(f"/order/BTCUSDT/{limit.exchange_order_id}")
    assert cancelled.json()["status"] == "canceled"
    assert Order.objects.get(pk=limit.pk).status == OrderStatus.CANCELED


def test_the_endpoints_are_in_the_openapi_schema(viewer: APIClient) -> None:
    paths = viewer.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    for path in ("/api/v1/orders", "/api/v1/orders/{order_id}", "/api/v1/positions", "/api/v1/positions/{symbol}",
                 "/api/v1/account", "/api/v1/price/{symbol}", "/order/{symbol}/{order_id}"):  # fmt: skip
        assert path in paths, path
    assert set(paths["/api/v1/orders"]) >= {"get", "post"} and "delete" in paths["/api/v1/orders/{order_id}"]
