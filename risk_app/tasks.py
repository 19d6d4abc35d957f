"""Celery interface for the risk stage."""

from __future__ import annotations

from celery import shared_task

from configs_app.services import config_resolve
from risk_app.services.kill_switch import risk_breaker_check


@shared_task(name="risk.breaker_watch", acks_late=True)
def breaker_watch() -> bool:
    """Open the UTC day as soon as it starts, and trip the daily-loss breaker on
    unrealized losses too (prices move without fills or signals)."""
    return risk_breaker_check(max_daily_loss_pct=config_resolve()["max_daily_loss_pct"])
