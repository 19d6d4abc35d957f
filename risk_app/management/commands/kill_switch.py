from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from risk_app.models import TradingMode
from risk_app.services.kill_switch import risk_set_mode


class Command(BaseCommand):
    help = "Set the trading mode: active, reduce_only or halted (the kill switch)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("mode", choices=TradingMode.values)
        parser.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        state = risk_set_mode(mode=options["mode"], actor="cli", reason=options["reason"])
        breaker = " (the daily-loss breaker is tripped: re-arm it with breaker_rearm)" if state.breaker_tripped else ""
        self.stdout.write(f"trading mode is now {state.effective_mode}{breaker}")
