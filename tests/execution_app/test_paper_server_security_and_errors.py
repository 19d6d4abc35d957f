"""The server's security checks and error answers are Binance's: API key (401),
timestamp and recvWindow (-1021), parameters from the query and from form
bodies on every method, JSON errors with 4xx statuses, the weight header."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import requests

from execution_app.paper_server.signing import hmac_sha256_hex
from tests.execution_app.binance_server import API_KEY, API_SECRET, PaperExchangeHandle, paper_exchange  # noqa: F401


def _signed(params: dict[str, Any], *, secret: str = API_SECRET) -> str:
    payload = urlencode(params)
    return f"{payload}&signature={hmac_sha256_hex(secret, payload)}"


def _now_ms() -> int:
    return int(time.time() * 1000)


def test_public_endpoints_answer_binance_shapes(paper_exchange: PaperExchangeHandle) -> None:  # noqa: F811
    url = paper_exchange.url
    assert requests.get(f"{url}/api/v3/ping", timeout=5).json() == {}
    assert requests.get(f"{url}/fapi/v1/ping", timeout=5).json() == {}
    server_time = requests.get(f"{url}/api/v3/time", timeout=5).json()["serverTime"]
    assert abs(server_time - _now_ms()) < 2000
    info = requests.get(f"{url}/fapi/v1/exchangeInfo", timeout=5)
    assert info.status_code == 200
    btc = next(s for s in info.json()["symbols"] if s["symbol"] == "BTCUSDT")
    assert {f["filterType"] for f in btc["filters"]} >= {"PRICE_FILTER", "LOT_SIZE", "MIN_NOTIONAL"}
    one = requests.get(f"{url}/api/v3/exchangeInfo", params={"symbol": "ETHUSDT"}, timeout=5).json()
    assert [s["symbol"] for s in one["symbols"]] == ["ETHUSDT"]
    ticker = requests.get(f"{url}/api/v3/ticker/price", params={"symbol": "BTCUSDT"}, timeout=5).json()
    assert ticker["symbol"] == "BTCUSDT" and Decimal(ticker["price"]) == Decimal("50000")
    unknown = requests.get(f"{url}/api/v3/ticker/price", params={"symbol": "NOPEUSDT"}, timeout=5)
    assert (unknown.status_code, unknown.json()["code"]) == (400, -1121)


def test_every_answer_carries_the_used_weight(paper_exchange: PaperExchangeHandle) -> None:  # noqa: F811
    first = requests.get(f"{paper_exchange.url}/api/v3/ping", timeout=5)
    second = requests.get(f"{paper_exchange.url}/api/v3/exchangeInfo", timeout=5)
    refused = requests.get(f"{paper_exchange.url}/api/v3/account", timeout=5)
    assert int(second.headers["X-MBX-USED-WEIGHT-1M"]) == int(first.headers["X-MBX-USED-WEIGHT-1M"]) + 20
    assert "X-MBX-USED-WEIGHT-1M" in refused.headers


def test_api_key_problems_are_401(paper_exchange: PaperExchangeHandle) -> None:  # noqa: F811
    query = _signed({"timestamp": _now_ms()})
    missing = requests.get(f"{paper_exchange.url}/api/v3/account?{query}", timeout=5)
    assert (missing.status_code, missing.json()["code"]) == (401, -2014)
    wrong = requests.get(f"{paper_exchange.url}/api/v3/account?{query}", headers={"X-MBX-APIKEY": "nope"}, timeout=5)
    assert (wrong.status_code, wrong.json()) == (
        401,
        {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."},
    )


def test_timestamp_and_recv_window_are_enforced(paper_exchange: PaperExchangeHandle) -> None:  # noqa: F811
    headers = {"X-MBX-APIKEY": API_KEY}
    url = f"{paper_exchange.url}/api/v3/account"
    cases = {
        "ahead": ({"timestamp": _now_ms() + 5000}, -1021),
        "stale": ({"timestamp": _now_ms() - 6000}, -1021),  # default recvWindow 5000
        "stale-but-inside-window": ({"timestamp": _now_ms() - 6000, "recvWindow": 10000}, None),
        "window-too-long": ({"timestamp": _now_ms(), "recvWindow": 60001}, -1131),
        "no-timestamp": ({"recvWindow": 5000}, -1102),
    }
    for name, (params, code) in cases.items():
        response = requests.get(f"{url}?{_signed(params)}", headers=headers, timeout=5)
        if code is None:
            assert response.status_code == 200, (name, response.text)
        else:
            assert (response.status_code, response.json()["code"]) == (400, code), name


def test_parameters_are_read_from_a_delete_body(paper_exchange: PaperExchangeHandle) -> None:  # noqa: F811
    body = _signed({"symbol": "BTCUSDT", "origClientOrderId": "never-placed", "timestamp": _now_ms()})
    response = requests.delete(
        f"{paper_exchange.url}/api/v3/order", data=body, timeout=5,
        headers={"X-MBX-APIKEY": API_KEY, "Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    # The symbol and id were read from the body (else -1102): the order is simply unknown.
    assert (response.status_code, response.json()["code"]) == (400, -2011)


def test_query_wins_over_body_and_both_are_signed(paper_exchange: PaperExchangeHandle) -> None:  # noqa: F811
    query = urlencode({"symbol": "BTCUSDT", "origClientOrderId": "nope"})
    body = urlencode({"timestamp": _now_ms()})
    signature = hmac_sha256_hex(API_SECRET, query + body)
    response = requests.get(
        f"{paper_exchange.url}/api/v3/order?{query}&signature={signature}", data=body, timeout=5,
        headers={"X-MBX-APIKEY": API_KEY, "Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert (response.status_code, response.json()["code"]) == (400, -2013)


def test_unknown_paths_and_methods_are_json_errors(paper_exchange: PaperExchangeHandle) -> None:  # noqa: F811
    missing = requests.get(f"{paper_exchange.url}/api/v3/nothing", timeout=5)
    assert missing.status_code == 404 and missing.json()["code"] == -1000
    wrong_method = requests.put(f"{paper_exchange.url}/api/v3/ping", timeout=5)
    assert wrong_method.status_code == 405


def test_fault_hooks_exist_only_when_enabled(transactional_db: Any) -> None:
    from execution_app.paper_server.app import ServerConfig
    from execution_app.paper_server.serve import ServerThread

    thread = ServerThread(ServerConfig(keys={API_KEY: (API_SECRET, "default")}, faults_enabled=False))
    thread.start()
    try:
        response = requests.post(f"{thread.url}/_paper/clock", json={"offset_ms": 99999}, timeout=5)
        assert response.status_code == 404
        assert abs(requests.get(f"{thread.url}/api/v3/time", timeout=5).json()["serverTime"] - _now_ms()) < 2000
    finally:
        thread.stop()
