"""Pushing events to websocket dashboards, only after the change is committed."""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

DASHBOARD_GROUP = "dashboard"


def broadcast_now(event: str, payload: dict[str, Any], *, group: str = DASHBOARD_GROUP) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": "dashboard.event", "event": event, "payload": payload})
    except Exception as exc:  # noqa: BLE001 - a dashboard miss must never fail a trade
        logger.warning("broadcast of %s failed: %s", event, exc)


def broadcast_on_commit(event: str, payload: dict[str, Any], *, group: str = DASHBOARD_GROUP) -> None:
    transaction.on_commit(lambda: broadcast_now(event, payload, group=group))
