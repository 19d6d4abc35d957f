from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from execution_app.services.sweep import orders_requeue_stuck
from signals_app.services.sweep import signals_requeue_stuck


class Command(BaseCommand):
    help = "Re-enqueue signals and orders stuck in a non-final state (what beat runs every few seconds)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", type=float, default=settings.SWEEP_STALE_AFTER_SECONDS)

    def handle(self, *args: Any, **options: Any) -> None:
        age = options["older_than"]
        count = signals_requeue_stuck(older_than_seconds=age) + orders_requeue_stuck(older_than_seconds=age)
        self.stdout.write(f"re-enqueued {count}")
