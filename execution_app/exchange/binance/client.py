"""python-binance's Client, pointed where the settings say, and one careful way to call it.

``binance_client`` subclasses Client with its URL attributes set, the way
python-binance itself documents (binance.md 1.1), so every call (the
constructor ping included, though we turn it off) goes to the chosen host:
Binance live, Binance testnet, or our paper exchange server.

``BinanceCaller`` runs one call with Binance's transient refusals handled
(rate limit back-off, clock resync) and every unknown outcome turned into
``ExchangeOutcomeUnknown``. It never resends an order whose fate is unknown.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import requests
from binance.client import Client
from binance.exceptions import BinanceAPIException, BinanceRequestException

from execution_app.exchange.base import ExchangeOutcomeUnknown, ExchangeRejected
from execution_app.exchange.binance.errors import (
    TIMESTAMP_OUTSIDE_WINDOW,
    ExchangeRateLimited,
    is_rate_limited,
    is_unknown_outcome,
    retry_after_seconds,
)
from petrosa.core.metrics.record import exchange_weight_record

logger = logging.getLogger(__name__)

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class PetrosaClient(Client):
    """python-binance's Client plus one call it lacks: POST /fapi/v1/order exactly as given.

    From 1.0.33 ``futures_create_order`` reroutes conditional types to the algo
    endpoint and, doing so, drops ``newClientOrderId`` for a random
    ``clientAlgoId``: our idempotency key would be lost. We send plain orders
    here and conditional ones with ``futures_create_algo_order`` and our id.
    """

    def futures_order_endpoint(self, **params: Any) -> Any:
        return self._request_futures_api("post", "order", True, data=params)


def binance_client(
    *,
    api_key: str,
    api_secret: str,
    testnet: bool,
    base_url: str = "",
    futures_base_url: str = "",
    timeout: float = 10.0,
) -> PetrosaClient:
    """A Client for live (``testnet=False``) or testnet, optionally on another host.

    ``base_url``/``futures_base_url`` are a scheme and host (``http://127.0.0.1:8765``);
    ``/api`` and ``/fapi`` are appended. The futures URL falls back to ``base_url``.
    """
    attributes: dict[str, Any] = {"REQUEST_TIMEOUT": timeout}
    if base_url:
        root = base_url.rstrip("/")
        attributes.update(API_URL=f"{root}/api", API_TESTNET_URL=f"{root}/api", MARGIN_API_URL=f"{root}/sapi")
    futures_root = (futures_base_url or base_url).rstrip("/")
    if futures_root:
        attributes.update(
            FUTURES_URL=f"{futures_root}/fapi",
            FUTURES_TESTNET_URL=f"{futures_root}/fapi",
            FUTURES_DATA_URL=f"{futures_root}/futures/data",
            FUTURES_DATA_TESTNET_URL=f"{futures_root}/futures/data",
        )
    client_class = type("PetrosaBinanceClient", (PetrosaClient,), attributes)
    client = client_class(api_key, api_secret, testnet=testnet, ping=False)
    hosts = {urlparse(url).hostname for url in (base_url, futures_base_url) if url}
    if hosts and hosts <= _LOOPBACK:
        client.session.trust_env = False  # a local server is never reached through an HTTP(S)_PROXY
    return client


@dataclass(frozen=True)
class CallPolicy:
    max_retries: int = 3  # resends of a call Binance refused without processing (429, -1021) or of a read
    max_backoff_seconds: float = 10.0  # a longer Retry-After is not waited out in a worker
    read_retry_seconds: float = 0.2


class BinanceCaller:
    def __init__(
        self,
        client: Client,
        *,
        policy: CallPolicy,
        time_method: str = "get_server_time",
        exchange_name: str = "binance",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.exchange_name = exchange_name
        self.policy = policy
        self.time_method = time_method  # futures_time on USD-M: each host has its own /time
        self.sleep = sleep

    def __call__(self, method: str, /, *, mutating: bool, **params: Any) -> Any:
        """Call ``client.<method>(**params)``.

        ``mutating`` calls (new order, cancel, settings) are resent only after
        a refusal Binance guarantees was not processed; reads are also resent
        after 5xx and network errors.
        """
        attempts = 0
        resynced = False
        while True:
            try:
                result = getattr(self.client, method)(**params)
                self._observe_weight()
                return result
            except BinanceAPIException as exc:
                self._observe_weight()
                if exc.code == TIMESTAMP_OUTSIDE_WINDOW and not resynced:
                    self.resync_time()
                    resynced = True
                    continue
                if is_rate_limited(exc):
                    wait = retry_after_seconds(exc)
                    banned = exc.status_code == 418
                    if banned or attempts >= self.policy.max_retries or wait > self.policy.max_backoff_seconds:
                        raise ExchangeRateLimited(
                            code=exc.code, message=exc.message, retry_after=wait, banned=banned
                        ) from exc
                    logger.warning("binance %s rate limited; backing off %.1fs", method, wait)
                    attempts += 1
                    self.sleep(wait)
                    continue
                if is_unknown_outcome(exc):
                    if not mutating and attempts < self.policy.max_retries:
                        attempts += 1
                        self.sleep(self.policy.read_retry_seconds)
                        continue
                    raise ExchangeOutcomeUnknown(f"{method}: HTTP {exc.status_code} {exc.code} {exc.message}") from exc
                raise
            except (requests.RequestException, BinanceRequestException) as exc:
                if not mutating and attempts < self.policy.max_retries:
                    attempts += 1
                    self.sleep(self.policy.read_retry_seconds)
                    continue
                raise ExchangeOutcomeUnknown(f"{method}: {type(exc).__name__}: {exc}") from exc

    def _observe_weight(self) -> None:
        response = getattr(self.client, "response", None)
        weight = response.headers.get("X-MBX-USED-WEIGHT-1M") if response is not None else None
        if weight is not None:
            exchange_weight_record(exchange=self.exchange_name, used_weight=weight)

    def resync_time(self) -> int:
        """Set the client's clock offset from the exchange's /time; returns the offset in ms."""
        before = time.time()
        try:
            server_ms = int(getattr(self.client, self.time_method)()["serverTime"])
        except (BinanceAPIException, BinanceRequestException, requests.RequestException) as exc:
            # The call that got -1021 was not processed; without a clock we cannot send it again.
            raise ExchangeRejected(code=TIMESTAMP_OUTSIDE_WINDOW, message=str(exc), reason="clock_out_of_sync") from exc
        local_ms = int((before + time.time()) / 2 * 1000)
        self.client.timestamp_offset = server_ms - local_ms
        logger.warning("binance clock resynced: offset %d ms", self.client.timestamp_offset)
        return int(self.client.timestamp_offset)
