"""The WSGI application: security, weights and faults around one engine call.

Per request, in Binance's order: find the endpoint; charge its weight to the
client IP (429/418 past the budget); for SIGNED endpoints check the API key
(-2014/-2015, HTTP 401), the signature (-1022) and the timestamp against
recvWindow (-1021); then call the engine. Every answer carries
``X-MBX-USED-WEIGHT-1M``; errors are Binance's ``{"code", "msg"}`` with its
HTTP status, never a 200.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from execution_app.exchange.paper_engine import DEFAULT_ACCOUNT
from execution_app.exchange.paper_engine.errors import PaperBinanceError
from execution_app.paper_server.faults import FaultRule, Faults
from execution_app.paper_server.limits import WeightBudget
from execution_app.paper_server.routes import NONE, ROUTES, TIME_PATHS, Route
from execution_app.paper_server.signing import signature_valid
from execution_app.paper_server.wire import HTTP_REASONS, WireRequest, WireResponse, error_response

logger = logging.getLogger(__name__)

MAX_RECV_WINDOW_MS = 60_000
DEFAULT_RECV_WINDOW_MS = 5_000


@dataclass
class ServerConfig:
    """``keys`` maps an API key to (secret, paper account name)."""

    keys: dict[str, tuple[str, str]]
    weight_limits: dict[str, int] = field(default_factory=lambda: {"spot": 6000, "usdm": 2400})
    ban_after: int = 5
    ban_seconds: int = 120
    faults_enabled: bool = False

    @classmethod
    def from_settings(cls, **overrides: Any) -> ServerConfig:
        values: dict[str, Any] = {
            "keys": {settings.PAPER_EXCHANGE_API_KEY: (settings.PAPER_EXCHANGE_API_SECRET, DEFAULT_ACCOUNT)},
            "weight_limits": {
                "spot": settings.PAPER_EXCHANGE_SPOT_WEIGHT_LIMIT,
                "usdm": settings.PAPER_EXCHANGE_FUTURES_WEIGHT_LIMIT,
            },
            "faults_enabled": settings.PAPER_EXCHANGE_FAULTS,
        }
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)


class PaperExchangeApp:
    def __init__(self, config: ServerConfig, *, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.clock = clock
        self.budget = WeightBudget(
            limits=config.weight_limits, ban_after=config.ban_after, ban_seconds=config.ban_seconds, clock=clock
        )
        self.faults = Faults(enabled=config.faults_enabled)
        self._orders_lock = threading.Lock()
        self._orders: dict[tuple[str, str, int], int] = {}

    def server_time_ms(self) -> int:
        return int(self.clock() * 1000) + self.faults.clock_offset_ms

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        response = self.respond(WireRequest.from_environ(environ))
        body = response.encoded()
        headers = [("Content-Type", "application/json;charset=UTF-8"), ("Content-Length", str(len(body)))]
        headers += list(response.headers.items())
        start_response(f"{response.status} {HTTP_REASONS.get(response.status, 'Error')}", headers)
        return [body]

    def respond(self, request: WireRequest) -> WireResponse:
        if request.path.startswith("/_paper/"):
            return self._control(request)
        route = ROUTES.get((request.method, request.path))
        if route is None and not (request.method == "GET" and request.path in TIME_PATHS):
            status = 405 if any(path == request.path for _, path in ROUTES) else 404
            return error_response(PaperBinanceError(-1000, f"No endpoint {request.method} {request.path}.", status))
        market = route.market if route else TIME_PATHS[request.path]
        charge = self.budget.charge(
            ip=request.client_ip, market=market, weight=route.weight_of(request.params) if route else 1
        )
        headers = {"X-MBX-USED-WEIGHT-1M": str(charge.used)}
        if charge.refusal is not None:
            headers["Retry-After"] = str(charge.retry_after)
            return error_response(charge.refusal, headers)
        self.faults.record(request.method, request.path, request.params)
        fault = self.faults.take(request.method, request.path, request.params)
        if fault is not None and fault.when == "before":
            return self._fault_response(fault, headers, None)
        response = self._answer(route, request, headers)
        if fault is not None:
            return self._fault_response(fault, headers, response)
        return response

    def _answer(self, route: Route | None, request: WireRequest, headers: dict[str, str]) -> WireResponse:
        if route is None:
            return WireResponse(200, {"serverTime": self.server_time_ms()}, headers)
        try:
            account = self._authenticate(route, request)
            payload = route.handler(request.params, account)
        except PaperBinanceError as exc:
            return error_response(exc, headers)
        except Exception:  # noqa: BLE001 - Binance answers -1000/500 and the outcome is unknown
            logger.exception("paper exchange failed on %s %s", request.method, request.path)
            return error_response(
                PaperBinanceError(-1000, "An unknown error occurred while processing the request.", 500), headers
            )
        if route.is_order:
            headers = {**headers, "X-MBX-ORDER-COUNT-10S": str(self._count_order(request.client_ip, route.market))}
        return WireResponse(200, payload, headers)

    def _authenticate(self, route: Route, request: WireRequest) -> str:
        """The paper account a SIGNED request acts on; raises Binance's error otherwise."""
        if route.security == NONE:
            return DEFAULT_ACCOUNT
        if not request.api_key:
            raise PaperBinanceError(-2014, "API-key format invalid.", 401)
        entry = self.config.keys.get(request.api_key)
        if entry is None:
            raise PaperBinanceError(-2015, "Invalid API-key, IP, or permissions for action.", 401)
        secret, account = entry
        params = request.params
        timestamp = _mandatory_int(params, "timestamp")
        if "recvWindow" in params and not params["recvWindow"].isdigit():
            raise PaperBinanceError(
                -1100, "Illegal characters found in parameter 'recvWindow'; legal range is '^[0-9]{1,20}$'."
            )
        recv_window = int(params.get("recvWindow") or DEFAULT_RECV_WINDOW_MS)
        if recv_window > MAX_RECV_WINDOW_MS:
            raise PaperBinanceError(-1131, "recvWindow must be less than 60000")
        if not params.get("signature"):
            raise PaperBinanceError(
                -1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed."
            )
        if not signature_valid(secret=secret, query=request.query, body=request.body, signature=params["signature"]):
            raise PaperBinanceError(-1022, "Signature for this request is not valid.")
        now = self.server_time_ms()
        if timestamp >= now + 1000:
            raise PaperBinanceError(-1021, "Timestamp for this request was 1000ms ahead of the server's time.")
        if now - timestamp > recv_window:
            raise PaperBinanceError(-1021, "Timestamp for this request is outside of the recvWindow.")
        return account

    def _fault_response(self, fault: FaultRule, headers: dict[str, str], answer: WireResponse | None) -> WireResponse:
        if fault.delay_seconds:
            time.sleep(fault.delay_seconds)
        error = fault.error()
        if error is None and answer is not None:
            return answer
        if fault.retry_after:
            headers = {**headers, "Retry-After": str(fault.retry_after)}
        return error_response(error or PaperBinanceError(-1000, "Injected fault.", 500), headers)

    def _count_order(self, ip: str, market: str) -> int:
        window = int(self.clock() // 10)
        with self._orders_lock:
            self._orders = {key: n for key, n in self._orders.items() if key[2] == window}
            key = (ip, market, window)
            self._orders[key] = self._orders.get(key, 0) + 1
            return self._orders[key]

    def _control(self, request: WireRequest) -> WireResponse:
        """Test-only endpoints (see faults.py); they do not exist unless faults are enabled."""
        if not self.faults.enabled:
            return error_response(PaperBinanceError(-1000, f"No endpoint {request.method} {request.path}.", 404))
        try:
            if (request.method, request.path) == ("POST", "/_paper/faults"):
                self.faults.add(FaultRule.from_json(request.json_body()))
            elif (request.method, request.path) == ("POST", "/_paper/clock"):
                self.faults.clock_offset_ms = int(request.json_body().get("offset_ms", 0))
            elif (request.method, request.path) == ("POST", "/_paper/reset"):
                self.faults.reset()
                self.budget.reset()
            elif (request.method, request.path) == ("GET", "/_paper/requests"):
                return WireResponse(200, self.faults.requests())
            else:
                return error_response(PaperBinanceError(-1000, f"No endpoint {request.method} {request.path}.", 404))
        except PaperBinanceError as exc:
            return error_response(exc)
        return WireResponse(200, {"ok": True})


def _mandatory_int(params: dict[str, str], name: str) -> int:
    value = params.get(name, "")
    if not value.isdigit():
        raise PaperBinanceError(-1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.")
    return int(value)
