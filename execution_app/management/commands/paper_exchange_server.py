"""Serve the paper exchange over Binance's REST API: `manage.py paper_exchange_server --port 8765`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from execution_app.paper_server.app import ServerConfig
from execution_app.paper_server.serve import serve
from petrosa.core.feeds.random_walk import RandomWalkFeed


class Command(BaseCommand):
    help = "Serve the paper exchange as a Binance-compatible HTTP server (spot /api/v3 and USD-M /fapi)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--api-key", default=None, help="default: PETROSA_PAPER_EXCHANGE_API_KEY")
        parser.add_argument("--api-secret", default=None, help="default: PETROSA_PAPER_EXCHANGE_API_SECRET")
        parser.add_argument(
            "--price-interval", type=float, default=1.0,
            help="seconds between feeding new market prices to the engine (resting orders fill); 0 = off",
        )  # fmt: skip
        parser.add_argument(
            "--feed", choices=("none", "random_walk"), default="none",
            help="random_walk: the server makes its own prices (seeded), as an exchange would",
        )  # fmt: skip
        parser.add_argument("--seed", type=int, default=7, help="random_walk seed")
        parser.add_argument(
            "--faults", action="store_true",
            help="enable the test-only /_paper/ fault-injection endpoints (refused in production)",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        if options["faults"] and settings.PRODUCTION:
            raise CommandError("--faults is a test-only hook and is refused when PETROSA_PRODUCTION is set")
        key = options["api_key"] or settings.PAPER_EXCHANGE_API_KEY
        secret = options["api_secret"] or settings.PAPER_EXCHANGE_API_SECRET
        config = ServerConfig.from_settings(
            keys={key: (secret, "default")}, faults_enabled=options["faults"] or settings.PAPER_EXCHANGE_FAULTS
        )
        self.stdout.write(f"paper exchange server on http://{options['host']}:{options['port']} (API key {key})")
        self.stdout.flush()
        feed = None
        if options["feed"] == "random_walk":
            feed = RandomWalkFeed(seed=options["seed"], tick_seconds=max(options["price_interval"], 0.1))
        serve(config, host=options["host"], port=options["port"], price_interval=options["price_interval"], feed=feed)
