from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from risk_app.services.kill_switch import risk_breaker_rearm


class Command(BaseCommand):
    help = "Re-arm the tripped daily-loss breaker so entries are allowed again. Audited."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        state = risk_breaker_rearm(actor="cli", reason=options["reason"])
        self.stdout.write(f"breaker re-armed; trading mode is {state.effective_mode}")
