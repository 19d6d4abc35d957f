"""Celery interface for trade ideas: expire the ones nobody reviewed in time."""

from __future__ import annotations

from celery import shared_task

from signals_app.ideas.services import trade_ideas_expire


@shared_task(name="signals.expire_trade_ideas", acks_late=True, time_limit=60)
def expire_trade_ideas() -> int:
    return trade_ideas_expire()
