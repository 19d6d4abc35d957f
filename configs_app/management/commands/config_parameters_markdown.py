from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from configs_app.docs import parameters_markdown


class Command(BaseCommand):
    help = "Print the README's trading-parameter table, generated from the schema."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(parameters_markdown())
