"""Celery interface of the engine: one market tick in, strategies' signals out."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from petrosa.core.market import STRATEGIES_ON_TICK_TASK, MarketTick
from signals_app.engine.runner import strategies_on_tick as strategies_run_on_tick


@shared_task(name=STRATEGIES_ON_TICK_TASK, acks_late=True, ignore_result=True)
def strategies_on_tick(tick: dict[str, Any]) -> None:
    strategies_run_on_tick(tick=MarketTick.from_payload(tick))
