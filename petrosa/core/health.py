"""Component checks behind /health and /ready."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import redis
from django.conf import settings
from django.db import connection

from petrosa.core.models import AuditEvent


@dataclass(frozen=True)
class ComponentStatus:
    name: str
    ok: bool
    detail: str
    critical: bool  # a failing critical component makes the service not ready


def _database() -> ComponentStatus:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return ComponentStatus("database", True, connection.vendor, critical=True)
    except Exception as exc:  # noqa: BLE001
        return ComponentStatus("database", False, f"unreachable: {exc.__class__.__name__}", critical=True)


def _audit() -> ComponentStatus:
    try:
        AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
        return ComponentStatus("audit", True, "audit table readable", critical=True)
    except Exception as exc:  # noqa: BLE001
        return ComponentStatus("audit", False, f"audit trail unavailable: {exc.__class__.__name__}", critical=True)


def _redis() -> ComponentStatus:
    if not settings.REDIS_URL:
        return ComponentStatus("redis", True, "not configured: embedded mode (eager tasks, in-memory layer)", False)
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5)
        client.ping()
        return ComponentStatus("redis", True, "broker, channel layer and cache reachable", critical=False)
    except Exception as exc:  # noqa: BLE001
        return ComponentStatus(
            "redis",
            False,
            f"unreachable ({exc.__class__.__name__}): signals are still accepted and run once Redis returns",
            critical=False,
        )


CHECKS: list[Callable[[], ComponentStatus]] = [_database, _audit, _redis]


def health_components() -> list[ComponentStatus]:
    return [check() for check in CHECKS]
