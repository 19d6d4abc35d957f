"""Serve the whole control plane from one process: `make run` uses this.

HTTP, admin, API docs and the dashboard websocket come from uvicorn. In the
embedded mode (no REDIS_URL) there is no Celery beat, so the periodic work
(the sweeper, and the market feed's ticks unless PETROSA_MARKET_FEED is off)
runs here on background threads instead.
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
from petrosa.core.audit_tasks import seal_audit
from petrosa.core.tasks import market_tick

logger = logging.getLogger(__name__)


def _periodic(stop: threading.Event) -> None:
    while not stop.wait(settings.SWEEP_INTERVAL_SECONDS):
        try:
            sweep_stuck_work()
            seal_audit()
        except Exception:  # noqa: BLE001 - keep sweeping; the next round retries
            logger.exception("embedded sweeper round failed")
        finally:
            close_old_connections()


def _market_ticks(stop: threading.Event) -> None:
    # Eager Celery: each tick runs the paper exchange and the built-in
    # strategies (and the signals they send) right here, one tick at a time.
    while not stop.wait(settings.MARKET_TICK_SECONDS):
        try:
            market_tick()
        except Exception:  # noqa: BLE001 - a failed tick is skipped; the next one runs
            logger.exception("embedded market tick failed")
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
            if settings.MARKET_FEED != "off":
                logger.info("market feed %s ticks every %ss", settings.MARKET_FEED, settings.MARKET_TICK_SECONDS)
                threading.Thread(target=_market_ticks, args=(stop,), name="embedded-market", daemon=True).start()
        try:
            uvicorn.run("petrosa.asgi:application", host=options["host"], port=options["port"], log_level="info")
        finally:
            stop.set()
