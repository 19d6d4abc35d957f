"""Serve the whole control plane from one process: `make run` uses this.

HTTP, admin, API docs and the dashboard websocket come from uvicorn. In the
embedded mode (no REDIS_URL) there is no Celery beat, so the periodic work
(the sweeper) runs here on a background thread instead.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from execution_app.tasks import sweep_stuck_work

logger = logging.getLogger(__name__)


def _periodic(stop: threading.Event) -> None:
    while not stop.wait(settings.SWEEP_INTERVAL_SECONDS):
        try:
            sweep_stuck_work()
        except Exception:  # noqa: BLE001 - keep sweeping; the next round retries
            logger.exception("embedded sweeper round failed")
        finally:
            close_old_connections()


class Command(BaseCommand):
    help = "Serve HTTP + websockets (uvicorn) and, without Redis, run periodic work in process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        if settings.EMBEDDED:
            threading.Thread(target=_periodic, args=(stop,), name="embedded-periodic", daemon=True).start()
        try:
            uvicorn.run("petrosa.asgi:application", host=options["host"], port=options["port"], log_level="info")
        finally:
            stop.set()
