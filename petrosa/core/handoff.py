"""Handing work to the next stage once the current transaction has committed.

Stages name each other's Celery tasks by name, never by import, so the
layers stay one-directional. A failed publish (Redis down) is logged and
left to the sweeper: the row is already committed in a non-final state.
"""

from __future__ import annotations

import logging

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_now(task_name: str, *args: object) -> bool:
    """Publish a task; True when the broker took it (or it ran eagerly)."""
    try:
        task = current_app.tasks[task_name]
        task.apply_async(args=args, retry=False)
    except Exception as exc:  # noqa: BLE001 - any broker failure means "sweeper's job now"
        logger.warning("could not enqueue %s%r, the sweeper will retry: %s", task_name, args, exc)
        return False
    return True


def enqueue_on_commit(task_name: str, *args: object) -> None:
    transaction.on_commit(lambda: enqueue_now(task_name, *args))
