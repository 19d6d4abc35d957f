"""Demo data for `make run`: an operator login, a strategy key, prices, and
(with PETROSA_DEMO on, as `make run` sets it) two built-in strategies that
trade the random-walk prices by themselves.

Run it as often as you like: it rotates the demo strategy's key and resets
the operator's password each time, and prints both (they are stored only as
hashes, so this is the one moment they can be shown).
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from petrosa.core.feeds.bundled import START_PRICES
from petrosa.core.market import price_set
from signals_app.engine.models import BuiltinStrategy
from signals_app.engine.services import builtin_strategy_ensure
from signals_app.models import Strategy
from signals_app.services.strategies import strategy_create, strategy_rotate_key
from signals_app.services.strategy_admin import strategy_deactivate

DEMO_STRATEGY = "demo_strategy"
DEMO_OPERATOR = "operator"
# The demo's own values, chosen so trades happen within a minute of `make run`
# on one-second random-walk ticks. The shipped defaults (seed 003: 20/50 bars,
# min confidence 0.6, five-minute cooldown) stay as they are for any strategy
# an operator adds in the admin. The confidence weights are scaled up because
# one-second moves are ~1000x smaller than the daily bars seed 003 scored.
DEMO_SYMBOLS = ["BTCUSDT", "ETHUSDT", "SOLUSDT"]
DEMO_BUILTINS = [
    {"name": "demo_ma_crossover", "kind": "ma_crossover", "symbols": DEMO_SYMBOLS, "timeframe": "1m",
     "parameters": {"short_period": 5, "long_period": 15, "min_confidence": "0.6", "gap_weight": "2000",
                    "price_weight": "1000", "cooldown_seconds": 10}},
    {"name": "demo_rsi_reversion", "kind": "rsi_reversion", "symbols": DEMO_SYMBOLS, "timeframe": "1m",
     "parameters": {"period": 7, "oversold": "30", "overbought": "70", "base_confidence": "0.6",
                    "cooldown_seconds": 10}},
]  # fmt: skip


class Command(BaseCommand):
    help = "Create or refresh the demo operator, demo strategy and paper prices, and print the credentials."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", help="operator password (default: a fresh random one)")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or secrets.token_urlsafe(12)
        user_model = get_user_model()
        operator, _ = user_model.objects.get_or_create(username=DEMO_OPERATOR)
        operator.is_staff = operator.is_superuser = True
        operator.set_password(password)
        operator.save()

        strategy = Strategy.objects.filter(name=DEMO_STRATEGY).first()
        if strategy is None:
            _, key = strategy_create(name=DEMO_STRATEGY, description="Demo strategy created by seed_demo", actor="cli")
        else:
            key = strategy_rotate_key(strategy=strategy, actor="cli")

        for symbol, price in START_PRICES.items():
            price_set(symbol=symbol, price=Decimal(price), source="seed_demo")

        self.stdout.write(f"operator login: {DEMO_OPERATOR} / {password}")
        self.stdout.write(f"strategy {DEMO_STRATEGY} API key: {key}")
        self._demo_strategies()

    def _demo_strategies(self) -> None:
        for spec in DEMO_BUILTINS:
            if settings.DEMO:
                builtin_strategy_ensure(**spec, actor="cli")
                params = ", ".join(f"{name}={value}" for name, value in spec["parameters"].items())
                self.stdout.write(f"built-in strategy {spec['name']} on {', '.join(spec['symbols'])}: {params}")
                continue
            builtin = BuiltinStrategy.objects.select_related("strategy").filter(strategy__name=spec["name"]).first()
            if builtin is not None and builtin.strategy.is_active:
                strategy_deactivate(name=spec["name"], reason="seed_demo with PETROSA_DEMO off", actor="cli")
        if settings.DEMO:
            self.stdout.write(
                f"demo: prices tick every {settings.MARKET_TICK_SECONDS:g}s ({settings.MARKET_FEED}); "
                "the built-in strategies trade by themselves. Switch off with PETROSA_DEMO=false."
            )
