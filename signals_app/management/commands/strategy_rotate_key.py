from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from signals_app.models import Strategy
from signals_app.services.strategies import strategy_rotate_key


class Command(BaseCommand):
    help = "Issue a new API key for a strategy; the old key stops working."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        strategy = Strategy.objects.filter(name=options["name"]).first()
        if strategy is None:
            raise CommandError(f"no strategy named {options['name']!r}")
        key = strategy_rotate_key(strategy=strategy, actor="cli")
        self.stdout.write(f"new API key for {strategy.name} (the old one no longer works):")
        self.stdout.write(key)
