from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from signals_app.models import Strategy
from signals_app.services.strategies import strategy_set_signing


class Command(BaseCommand):
    help = "Require HMAC-signed requests from a strategy (prints a new secret once), or stop requiring them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["enable", "disable"])
        parser.add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        strategy = Strategy.objects.filter(name=options["name"]).first()
        if strategy is None:
            raise CommandError(f"no strategy named {options['name']!r}")
        secret = strategy_set_signing(strategy=strategy, required=options["action"] == "enable", actor="cli")
        if secret:
            self.stdout.write(f"{strategy.name} must now sign its requests; signing secret (shown once):")
            self.stdout.write(secret)
        else:
            self.stdout.write(f"{strategy.name} no longer needs to sign its requests")
