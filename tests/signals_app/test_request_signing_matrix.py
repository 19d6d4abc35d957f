"""Optional HMAC signing: forged, stale, tampered and replayed requests are refused."""

from __future__ import annotations

import json
import time

import pytest
from rest_framework.test import APIClient

from signals_app.models import Signal
from signals_app.services.strategies import strategy_set_signing
from signals_app.signing import request_signature
from tests.factories import StrategyWithKey

pytestmark = pytest.mark.django_db
URL = "/api/v1/signals"
BODY = json.dumps({"symbol": "BTCUSDT", "action": "buy", "confidence": 0.8})


@pytest.fixture
def secret(strategy: StrategyWithKey) -> str:
    issued = strategy_set_signing(strategy=strategy.strategy, required=True, actor="test")
    assert issued
    return issued


def post(strategy: StrategyWithKey, *, body: str = BODY, **headers: str) -> tuple[int, dict]:
    client = APIClient()
    response = client.post(URL, data=body, content_type="application/json", HTTP_X_API_KEY=strategy.key,
                           **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})  # fmt: skip
    return response.status_code, response.json()


def signed(secret: str, *, timestamp: int | None = None, body: str = BODY) -> dict[str, str]:
    ts = str(timestamp if timestamp is not None else int(time.time()))
    signature = request_signature(secret=secret, timestamp=ts, method="POST", path=URL, body=body.encode())
    return {"X-Petrosa-Timestamp": ts, "X-Petrosa-Signature": signature}


def test_a_correctly_signed_request_is_accepted(strategy: StrategyWithKey, secret: str) -> None:
    status, body = post(strategy, **signed(secret))
    assert status == 202, body
    assert Signal.objects.count() == 1


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        (lambda s: {}, "signature_required"),
        (lambda s: signed("0" * 64), "bad_signature"),
        (lambda s: signed(s, timestamp=int(time.time()) - 330), "stale_signature"),
        (lambda s: signed(s, timestamp=int(time.time()) + 330), "stale_signature"),
        (lambda s: {**signed(s), "X-Petrosa-Timestamp": "yesterday"}, "stale_signature"),
        (lambda s: {**signed(s), "X-Petrosa-Signature": "deadbeef"}, "bad_signature"),
    ],
)
def test_forged_and_stale_requests_are_refused(strategy: StrategyWithKey, secret: str, headers, code: str) -> None:  # type: ignore[no-untyped-def]
    status, body = post(strategy, **headers(secret))
    assert status == 401
    assert body["error"]["code"] == code
    assert not Signal.objects.exists()


def test_a_tampered_body_is_refused(strategy: StrategyWithKey, secret: str) -> None:
    tampered = BODY.replace("0.8", "0.99")
    status, body = post(strategy, body=tampered, **signed(secret))
    assert (status, body["error"]["code"]) == (401, "bad_signature")
    assert not Signal.objects.exists()


def test_a_replayed_request_is_refused(strategy: StrategyWithKey, secret: str) -> None:
    headers = signed(secret)
    assert post(strategy, **headers)[0] == 202
    status, body = post(strategy, **headers)
    assert (status, body["error"]["code"]) == (401, "signature_replayed")
    assert Signal.objects.count() == 1


def test_strategies_that_do_not_sign_are_unaffected(strategy: StrategyWithKey, other_strategy: StrategyWithKey,
                                                    secret: str) -> None:  # fmt: skip
    assert post(other_strategy)[0] == 202


def test_turning_signing_off_accepts_unsigned_requests_again(strategy: StrategyWithKey, secret: str) -> None:
    strategy_set_signing(strategy=strategy.strategy, required=False, actor="test")
    assert post(strategy)[0] == 202
