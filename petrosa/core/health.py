"""Component checks behind /health and /ready, and the workers' heartbeats.

Critical components (database, audit) decide readiness: without them nothing
can be recorded, so nothing may be traded. The rest degrade the service with
a warning: signals are still accepted and wait, committed, until the missing
piece returns.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string

from petrosa.core.models import AuditEvent

HEARTBEAT_PREFIX = "petrosa:worker-heartbeat:"
REQUIRED_QUEUES = ("signals", "execution")


@dataclass(frozen=True)
class ComponentStatus:
    name: str
    ok: bool
    detail: str
    critical: bool  # a failing critical component makes the service not ready
    latency_ms: float = 0.0

    @property
    def state(self) -> str:
        if self.ok:
            return "healthy"
        return "unhealthy" if self.critical else "degraded"


def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)


def _tcp_reachable(host: str, port: int, timeout: float = 1.0) -> str:
    """'' when a TCP connection opens; else why not. Checked before the ORM, whose
    connection pool would wait its whole timeout (10 s) for a server that is down."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return ""
    except OSError as exc:
        return f"{host}:{port} {exc.strerror or exc.__class__.__name__}"


def _database() -> ComponentStatus:
    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        refused = _tcp_reachable(db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432))
        if refused:
            return ComponentStatus("database", False, f"unreachable: {refused}", critical=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return ComponentStatus("database", True, connection.vendor, critical=True)
    except Exception as exc:  # noqa: BLE001
        first_line = (str(exc).strip().splitlines() or [""])[0][:200]
        return ComponentStatus("database", False, f"unreachable ({exc.__class__.__name__}): {first_line}", True)


def _audit(database_ok: bool) -> ComponentStatus:
    if not database_ok:
        return ComponentStatus(
            "audit", False, "audit trail unavailable: the database is unreachable; live trading refuses", critical=True
        )
    try:
        # Checked without writing: a probe INSERT, even rolled back, would burn an id
        # every few seconds and leave gaps in the trail that look like deletions.
        AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
        refusal = _audit_write_refusal()
    except Exception as exc:  # noqa: BLE001
        return ComponentStatus(
            "audit", False, f"audit trail unavailable ({exc.__class__.__name__}): live trading refuses", critical=True
        )
    if refusal:
        return ComponentStatus("audit", False, f"audit trail not writable: {refusal}; live trading refuses", True)
    return ComponentStatus("audit", True, "audit trail writable", critical=True)


def _audit_write_refusal() -> str:
    """Why an INSERT into the audit table would fail right now, or ''."""
    if connection.vendor != "postgresql":
        return ""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_is_in_recovery(), current_setting('transaction_read_only'), has_table_privilege(%s, 'INSERT')",
            [AuditEvent._meta.db_table],
        )
        in_recovery, read_only, may_insert = cursor.fetchone()
    if in_recovery:
        return "the database is a read-only standby"
    if read_only == "on":
        return "the database session is read-only"
    if not may_insert:
        return f"no INSERT privilege on {AuditEvent._meta.db_table}"
    return ""


def _redis_component() -> ComponentStatus:
    if not settings.REDIS_URL:
        return ComponentStatus("redis", True, "not configured: embedded mode (eager tasks, in-memory layer)", False)
    try:
        _redis(settings.REDIS_URL).ping()
        return ComponentStatus("redis", True, "channel layer and cache reachable", critical=False)
    except Exception as exc:  # noqa: BLE001
        return ComponentStatus(
            "redis",
            False,
            f"unreachable ({exc.__class__.__name__}): signals are still accepted and run once Redis returns",
            critical=False,
        )


def _broker() -> ComponentStatus:
    url = settings.CELERY_BROKER_URL
    if url.startswith("memory://"):
        return ComponentStatus("broker", True, "in process: tasks run eagerly", critical=False)
    try:
        client = _redis(url)
        queued = {queue: client.llen(queue) for queue in REQUIRED_QUEUES}
        waiting = ", ".join(f"{queue}={n}" for queue, n in queued.items())
        return ComponentStatus("broker", True, f"reachable; queued tasks: {waiting}", critical=False)
    except Exception as exc:  # noqa: BLE001
        return ComponentStatus(
            "broker",
            False,
            f"unreachable ({exc.__class__.__name__}): tasks cannot be queued; the sweeper re-enqueues when it returns",
            critical=False,
        )


# --- Worker heartbeats ------------------------------------------------------------


@dataclass(frozen=True)
class Heartbeat:
    worker: str
    pid: int
    queues: tuple[str, ...]
    timestamp: float


def worker_heartbeat_write(*, worker: str, pid: int, queues: list[str]) -> None:
    """Workers call this every WORKER_HEARTBEAT_SECONDS; the key expires after three
    missed beats, so a killed worker disappears by itself."""
    payload = json.dumps({"worker": worker, "pid": pid, "queues": queues, "timestamp": time.time()})
    ttl = max(int(settings.WORKER_HEARTBEAT_SECONDS * 3), 2)
    _redis(settings.REDIS_URL).set(f"{HEARTBEAT_PREFIX}{worker}", payload, ex=ttl)


def worker_heartbeat_clear(*, worker: str) -> None:
    _redis(settings.REDIS_URL).delete(f"{HEARTBEAT_PREFIX}{worker}")


def worker_heartbeats_read() -> list[Heartbeat]:
    client = _redis(settings.REDIS_URL)
    keys = sorted(client.scan_iter(match=f"{HEARTBEAT_PREFIX}*", count=100))
    beats = []
    for raw in client.mget(keys) if keys else []:
        if raw is None:
            continue  # expired between SCAN and MGET
        data = json.loads(raw)
        beats.append(Heartbeat(data["worker"], int(data["pid"]), tuple(data["queues"]), float(data["timestamp"])))
    return beats


def _worker_heartbeat() -> ComponentStatus:
    if not settings.REDIS_URL:
        return ComponentStatus("worker_heartbeat", True, "embedded mode: tasks run in the web process", False)
    try:
        beats = worker_heartbeats_read()
    except Exception as exc:  # noqa: BLE001
        return ComponentStatus(
            "worker_heartbeat", False, f"unknown: Redis unreachable ({exc.__class__.__name__})", critical=False
        )
    if not beats:
        return ComponentStatus(
            "worker_heartbeat",
            False,
            "no worker heartbeat: signals are accepted but wait until a worker runs",
            critical=False,
        )
    served = {queue for beat in beats for queue in beat.queues}
    missing = [queue for queue in REQUIRED_QUEUES if queue not in served]
    names = ", ".join(beat.worker for beat in beats)
    if missing:
        return ComponentStatus(
            "worker_heartbeat", False, f"no worker consumes {', '.join(missing)} (alive: {names})", critical=False
        )
    return ComponentStatus("worker_heartbeat", True, f"{len(beats)} alive: {names}", critical=False)


# --- Exchange and NATS ------------------------------------------------------------


def _exchange() -> ComponentStatus:
    """The adapter's own ping, found through settings: petrosa.core may not import execution_app."""
    try:
        ok, detail = import_string(settings.PETROSA_EXCHANGE_HEALTH_CHECK)()
    except Exception as exc:  # noqa: BLE001
        ok, detail = False, f"unreachable ({exc.__class__.__name__}: {str(exc)[:200]})"
    return ComponentStatus("exchange", ok, detail, critical=False)


def _nats() -> ComponentStatus:
    parts = urlsplit(settings.NATS_URL)
    host, port = parts.hostname or "127.0.0.1", parts.port or 4222
    try:
        with socket.create_connection((host, port), timeout=0.5) as sock:
            sock.settimeout(0.5)
            greeting = sock.recv(64)
    except OSError as exc:
        return ComponentStatus(
            "nats", False, f"{host}:{port} unreachable ({exc.__class__.__name__}): NATS intake paused", False
        )
    if not greeting.startswith(b"INFO"):
        return ComponentStatus("nats", False, f"{host}:{port} answered, but not as a NATS server", critical=False)
    return ComponentStatus("nats", True, f"{host}:{port} reachable", critical=False)


def _timed(check: Callable[[], ComponentStatus]) -> ComponentStatus:
    started = time.perf_counter()
    status = check()
    elapsed = round((time.perf_counter() - started) * 1000, 1)
    return ComponentStatus(status.name, status.ok, status.detail, status.critical, elapsed)


def health_components() -> list[ComponentStatus]:
    database = _timed(_database)
    components = [database, _timed(lambda: _audit(database.ok))]
    components += [_timed(check) for check in (_redis_component, _broker, _worker_heartbeat, _exchange)]
    if settings.NATS_URL:
        components.append(_timed(_nats))
    return components


def readiness_components() -> list[ComponentStatus]:
    """Only what readiness depends on: cheap enough for a probe every few seconds."""
    database = _timed(_database)
    return [database, _timed(lambda: _audit(database.ok))]
