"""The server checks signatures exactly as Binance does: its published spot and
USD-M futures examples verify, a tampered signature or parameter does not."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import pytest
import requests

from execution_app.paper_server.app import ServerConfig
from execution_app.paper_server.serve import ServerThread
from execution_app.paper_server.signing import hmac_sha256_hex, signature_valid
from petrosa.core.market import price_set

# binance-spot-api-docs rest-api.md "SIGNED Endpoint Examples" (binance.md 1.2).
SPOT_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
SPOT_PAYLOAD = (
    "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
)
SPOT_SIGNATURE = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
SPOT_TIMESTAMP_MS = 1499827319559
# developers.binance.com usds-margined-futures general-info.
FUTURES_SECRET = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9"
FUTURES_PAYLOAD = (
    "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943"
)
FUTURES_SIGNATURE = "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9"
FUTURES_TIMESTAMP_MS = 1591702613943

SPOT_KEY, FUTURES_KEY = "doc-spot-key", "doc-futures-key"


def test_the_published_vectors_hash_to_the_published_signatures() -> None:
    assert hmac_sha256_hex(SPOT_SECRET, SPOT_PAYLOAD) == SPOT_SIGNATURE
    assert hmac_sha256_hex(FUTURES_SECRET, FUTURES_PAYLOAD) == FUTURES_SIGNATURE


def test_the_payload_is_query_then_body_without_a_separator() -> None:
    query = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC"
    body = "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
    mixed = hmac_sha256_hex(SPOT_SECRET, query + body)
    assert signature_valid(secret=SPOT_SECRET, query=f"{query}&signature={mixed}", body=body, signature=mixed)
    assert not signature_valid(secret=SPOT_SECRET, query=query, body=body, signature=SPOT_SIGNATURE)


def test_signatures_are_not_case_sensitive_and_need_the_right_secret() -> None:
    assert signature_valid(secret=SPOT_SECRET, query=SPOT_PAYLOAD, body="", signature=SPOT_SIGNATURE.upper())
    assert not signature_valid(secret=FUTURES_SECRET, query=SPOT_PAYLOAD, body="", signature=SPOT_SIGNATURE)


@pytest.fixture
def server(transactional_db: Any) -> Any:
    # Near BTC's price when the example was written, so its limit price 9000 is inside PERCENT_PRICE.
    price_set(symbol="BTCUSDT", price=Decimal("9200"), source="test")
    config = ServerConfig(
        keys={SPOT_KEY: (SPOT_SECRET, "doc-spot"), FUTURES_KEY: (FUTURES_SECRET, "doc-futures")}, faults_enabled=True
    )
    thread = ServerThread(config)
    thread.start()
    yield thread
    thread.stop()


def _clock_at(server: Any, moment_ms: int) -> None:
    offset = moment_ms - int(time.time() * 1000)
    requests.post(f"{server.url}/_paper/clock", json={"offset_ms": offset}, timeout=5).raise_for_status()


def _post(server: Any, path: str, key: str, body: str) -> requests.Response:
    headers = {"X-MBX-APIKEY": key, "Content-Type": "application/x-www-form-urlencoded"}
    return requests.post(f"{server.url}{path}", data=body, headers=headers, timeout=5)


def test_the_spot_example_request_passes_the_signature_and_reaches_the_engine(server: Any) -> None:
    _clock_at(server, SPOT_TIMESTAMP_MS)
    response = _post(server, "/api/v3/order", SPOT_KEY, f"{SPOT_PAYLOAD}&signature={SPOT_SIGNATURE}")
    # Signature and timestamp accepted; the engine then refuses LTCBTC, which our snapshot does not list.
    assert response.status_code == 400
    assert response.json() == {"code": -1121, "msg": "Invalid symbol."}


def test_the_futures_example_order_is_accepted(server: Any) -> None:
    _clock_at(server, FUTURES_TIMESTAMP_MS)
    response = _post(server, "/fapi/v1/order", FUTURES_KEY, f"{FUTURES_PAYLOAD}&signature={FUTURES_SIGNATURE}")
    assert response.status_code == 200, response.text
    order = response.json()
    assert (order["symbol"], order["side"], order["type"], order["status"]) == ("BTCUSDT", "BUY", "LIMIT", "NEW")
    assert order["origQty"] == "1" and order["price"] == "9000"


@pytest.mark.parametrize(
    "body",
    [
        f"{SPOT_PAYLOAD}&signature={SPOT_SIGNATURE[:-1]}0",  # one hex digit changed
        f"{SPOT_PAYLOAD.replace('quantity=1', 'quantity=2')}&signature={SPOT_SIGNATURE}",  # a parameter changed
        SPOT_PAYLOAD + "&signature=",  # no signature at all
    ],
    ids=["tampered-signature", "tampered-parameter", "empty-signature"],
)
def test_a_tampered_request_is_refused_before_anything_else(server: Any, body: str) -> None:
    _clock_at(server, SPOT_TIMESTAMP_MS)
    response = _post(server, "/api/v3/order", SPOT_KEY, body)
    assert response.status_code == 400
    assert response.json()["code"] in (-1022, -1102)
    if body.endswith("="):
        assert response.json()["code"] == -1102
    else:
        assert response.json() == {"code": -1022, "msg": "Signature for this request is not valid."}
