"""Running the server: a threaded WSGI server, in its own process or a thread.

``manage.py paper_exchange_server`` calls ``serve()``. Tests start a
``ServerThread`` on a free port and point python-binance at ``thread.url``.
The price watcher feeds every new market price to the engine, so resting and
conditional orders fill while nobody asks, as on a real exchange.
"""

from __future__ import annotations

import logging
import threading
from decimal import Decimal

from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.db import close_old_connections, transaction

from execution_app.exchange import paper_engine as engine
from execution_app.paper_server.app import PaperExchangeApp, ServerConfig
from petrosa.core.feeds.random_walk import RandomWalkFeed
from petrosa.core.market import price_set, prices_current
from petrosa.core.models import MarketPrice

logger = logging.getLogger(__name__)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        logger.debug("%s %s", self.address_string(), format % args)


def make_server(app: PaperExchangeApp, *, host: str = "127.0.0.1", port: int = 0) -> ThreadedWSGIServer:
    server = ThreadedWSGIServer((host, port), _QuietHandler, allow_reuse_address=True)
    server.set_app(app)
    return server


class PriceWatcher(threading.Thread):
    """Every ``interval`` seconds, hands each symbol's new price to engine_on_price.

    With a ``feed`` (``--feed random_walk``) the server also makes its own
    prices, as an exchange does, and a control plane in testnet mode reads them
    from ``/fapi/v2/ticker/price`` (``PETROSA_MARKET_FEED_URL``).
    """

    def __init__(self, *, interval: float, feed: RandomWalkFeed | None = None) -> None:
        super().__init__(name="paper-exchange-prices", daemon=True)
        self.interval = interval
        self.feed = feed
        self.stopping = threading.Event()
        self._seen: dict[str, Decimal] = {}
        self._step = 0

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - a failed round is retried on the next one
                logger.exception("paper exchange price round failed")
            finally:
                close_old_connections()

    def tick(self) -> list[str]:
        if self.feed is not None:
            self._step += 1
            prices = self.feed.next_prices(current=prices_current(self.feed.symbols), step=self._step)
            with transaction.atomic():
                for symbol, price in sorted(prices.items()):
                    price_set(symbol=symbol, price=price, source="paper-exchange")
        changed: list[str] = []
        for symbol, price in MarketPrice.objects.values_list("symbol", "price"):
            if self._seen.get(symbol) != price:
                changed += engine.engine_on_price(symbol, price)
                self._seen[symbol] = price
        return changed


class ServerThread(threading.Thread):
    """The server on a background thread; ``url`` once ``start()`` returns."""

    def __init__(self, config: ServerConfig, *, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(name="paper-exchange-server", daemon=True)
        self.app = PaperExchangeApp(config)
        self.server = make_server(self.app, host=host, port=port)
        host, port = self.server.server_address[:2]
        self.url = f"http://{host}:{port}"

    def run(self) -> None:
        self.server.serve_forever(poll_interval=0.05)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.join(timeout=5)


def serve(
    config: ServerConfig, *, host: str, port: int, price_interval: float, feed: RandomWalkFeed | None = None
) -> None:
    app = PaperExchangeApp(config)
    server = make_server(app, host=host, port=port)
    watcher = PriceWatcher(interval=price_interval, feed=feed) if price_interval > 0 else None
    if watcher is not None:
        watcher.start()
    logger.info("paper exchange server listening on http://%s:%s", host, server.server_address[1])
    try:
        server.serve_forever()
    finally:
        if watcher is not None:
            watcher.stopping.set()
        server.server_close()
