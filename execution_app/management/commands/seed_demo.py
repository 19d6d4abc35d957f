"""Demo data for `make run`: an operator login, a strategy key, prices.

Run it as often as you like: it rotates the demo strategy's key and resets
the operator's password each time, and prints both (they are stored only as
hashes, so this is the one moment they can be shown).
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from petrosa.core.market import price_set
from signals_app.models import Strategy
from signals_app.services.strategies import strategy_create, strategy_rotate_key

DEMO_STRATEGY = "demo_strategy"
DEMO_OPERATOR = "operator"
# Reference prices to start the paper market from (USDT), one per bundled symbol.
START_PRICES = {
    "BTCUSDT": "65000.00", "ETHUSDT": "3200.00", "BNBUSDT": "580.0", "SOLUSDT": "150.00", "XRPUSDT": "0.5200",
    "DOGEUSDT": "0.12000", "ADAUSDT": "0.4500", "LTCUSDT": "80.00", "TRXUSDT": "0.12000", "AVAXUSDT": "30.00",
    "LINKUSDT": "14.000", "DOTUSDT": "6.500",
}  # fmt: skip


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
