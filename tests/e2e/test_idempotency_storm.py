"""The same idempotency key sent 200 times from 20 threads makes one signal and one order."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import requests

from execution_app.models import Order, OrderStatus
from signals_app.models import Signal
from tests.factories import StrategyWithKey

BODY = {"symbol": "BTCUSDT", "action": "buy", "confidence": 0.8, "quantity": "0.01"}


def test_two_hundred_retries_from_twenty_threads(
    live_server: Any, strategy: StrategyWithKey, prices: dict[str, Decimal], eager_pipeline: None
) -> None:
    def send(_: int) -> tuple[int, int, str]:
        response = requests.post(
            f"{live_server.url}/api/v1/signals", json=BODY, timeout=30,
            headers={"Authorization": f"Bearer {strategy.key}", "Idempotency-Key": "storm-1"},
        )  # fmt: skip
        return response.status_code, response.json().get("id", -1), response.headers.get("Idempotent-Replayed", "")

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(send, range(200)))

    assert {status for status, _, _ in results} == {202}
    assert len({signal_id for _, signal_id, _ in results}) == 1
    assert sum(1 for _, _, replayed in results if replayed == "true") == 199
    assert Signal.objects.count() == 1
    order = Order.objects.get(role="entry")  # (its protective legs are orders too)
    assert order.status == OrderStatus.FILLED and order.quantity == Decimal("0.01")


def test_the_same_key_with_another_body_is_refused(
    live_server: Any, strategy: StrategyWithKey, prices: dict[str, Decimal]
) -> None:
    headers = {"Authorization": f"Bearer {strategy.key}", "Idempotency-Key": "storm-2"}
    first = requests.post(f"{live_server.url}/api/v1/signals", json=BODY, headers=headers, timeout=10)
    other = requests.post(f"{live_server.url}/api/v1/signals", json={**BODY, "quantity": "0.02"}, headers=headers,
                          timeout=10)  # fmt: skip
    assert first.status_code == 202
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert Signal.objects.count() == 1
