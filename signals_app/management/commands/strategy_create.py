from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from signals_app.services.strategies import strategy_create


class Command(BaseCommand):
    help = "Create a strategy and print its API key (shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--description", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        strategy, key = strategy_create(name=options["name"], description=options["description"], actor="cli")
        self.stdout.write(f"strategy {strategy.name} created; API key (store it now, it is not shown again):")
        self.stdout.write(key)
