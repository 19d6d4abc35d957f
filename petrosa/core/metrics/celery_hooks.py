"""Celery signal handlers: correlation ids across tasks, task metrics, worker
heartbeats, JSON logs in workers, and a worker's own metrics port.

Imported by petrosa/celery.py before Django settings load, so nothing here
imports prometheus_client (or models) at module level.
"""

from __future__ import annotations

import logging
import logging.config
import os
import socket
import threading
import time
from typing import Any

from celery import signals

from petrosa.core.logging import (
    TASK_HEADER,
    correlation_id_bind,
    correlation_id_get,
    correlation_id_new,
    correlation_id_reset,
    task_context_bind,
    task_context_reset,
)

logger = logging.getLogger(__name__)

# Per task id: (correlation token, task-context token, start time). A prefork
# child runs one task at a time; threads and eager runs nest, hence the dict.
_running: dict[str, tuple[Any, Any, float]] = {}
_heartbeat_stop = threading.Event()


def _on_setup_logging(**_: Any) -> None:
    """Receiving this signal stops Celery from installing its own log format:
    workers and beat log JSON lines through settings.LOGGING like the web."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


def _on_before_publish(headers: dict[str, Any] | None = None, **_: Any) -> None:
    if headers is not None and not headers.get(TASK_HEADER):
        headers[TASK_HEADER] = correlation_id_get() or correlation_id_new()


def _on_prerun(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    request = getattr(task, "request", None)
    carried = getattr(request, TASK_HEADER, None) or (getattr(request, "headers", None) or {}).get(TASK_HEADER)
    # Eager tasks run inside the caller and keep its id; a task from beat starts a new one.
    correlation = carried or correlation_id_get() or correlation_id_new()
    name = getattr(task, "name", "unknown")
    _running[task_id or ""] = (
        correlation_id_bind(correlation),
        task_context_bind(name, task_id or ""),
        time.perf_counter(),
    )


def _on_postrun(task_id: str | None = None, task: Any = None, state: str | None = None, **_: Any) -> None:
    entry = _running.pop(task_id or "", None)
    name = getattr(task, "name", "unknown")
    if entry is not None:
        correlation_token, task_token, started = entry
        seconds = time.perf_counter() - started
        _observe_task(name, (state or "unknown").lower(), seconds)
        # Still inside the task's context: this line carries its correlation id.
        logger.info(
            "task %s %s in %.3fs", name, (state or "unknown").lower(), seconds, extra={"task_state": state or ""}
        )
        task_context_reset(task_token)
        correlation_id_reset(correlation_token)


def _observe_task(name: str, outcome: str, seconds: float) -> None:
    try:
        from petrosa.core.metrics.definitions import TASK_DURATION, TASKS

        TASKS.labels(task=name, outcome=outcome).inc()
        TASK_DURATION.labels(task=name).observe(seconds)
    except Exception:  # noqa: BLE001 - metrics never fail a task
        logger.warning("could not record metrics for task %s", name, exc_info=True)


def _on_failure(sender: Any = None, exception: BaseException | None = None, **_: Any) -> None:
    from petrosa.core.metrics.record import error_record

    error_record(error_type="task_failure")
    logger.error(
        "task %s failed: %s", getattr(sender, "name", "unknown"), exception.__class__.__name__ if exception else ""
    )


def _on_retry(sender: Any = None, **_: Any) -> None:
    from petrosa.core.metrics.record import error_record

    error_record(error_type="task_retry")


# --- Worker heartbeat and metrics port ----------------------------------------------


def _worker_name(sender: Any) -> str:
    return str(getattr(sender, "hostname", "") or f"{socket.gethostname()}-{os.getpid()}")


def _worker_queues(sender: Any) -> list[str]:
    try:
        return sorted(queue.name for queue in sender.task_consumer.queues)
    except Exception:  # noqa: BLE001
        from django.conf import settings

        return [settings.CELERY_TASK_DEFAULT_QUEUE]


def _heartbeat_loop(worker: str, queues: list[str], interval: float) -> None:
    from petrosa.core.health import worker_heartbeat_write

    while True:
        try:
            worker_heartbeat_write(worker=worker, pid=os.getpid(), queues=queues)
        except Exception as exc:  # noqa: BLE001 - Redis may be down; keep beating
            logger.warning("worker heartbeat not written: %s", exc.__class__.__name__)
        if _heartbeat_stop.wait(interval):
            return


def _on_worker_ready(sender: Any = None, **_: Any) -> None:
    from django.conf import settings

    if not settings.REDIS_URL:
        return
    worker, queues = _worker_name(sender), _worker_queues(sender)
    _heartbeat_stop.clear()
    threading.Thread(
        target=_heartbeat_loop,
        args=(worker, queues, settings.WORKER_HEARTBEAT_SECONDS),
        name="petrosa-heartbeat",
        daemon=True,
    ).start()
    port = settings.WORKER_METRICS_PORT
    if port:
        _serve_worker_metrics(port)
    logger.info("worker heartbeat started for %s (queues %s)", worker, ",".join(queues))


def _serve_worker_metrics(port: int) -> None:
    """Each worker pod exposes its own processes' counters; the state gauges
    come from the web replicas (include_state=False) so they are not doubled."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from petrosa.core.metrics.exposition import metrics_render

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            body, content_type = metrics_render(include_state=False)
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:  # scrapes every 15 s would flood the log
            return

    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)  # noqa: S104 - scraped from inside the cluster
    threading.Thread(target=server.serve_forever, name="petrosa-metrics", daemon=True).start()
    logger.info("worker metrics on :%d/metrics", port)


def _on_worker_shutdown(sender: Any = None, **_: Any) -> None:
    from django.conf import settings

    _heartbeat_stop.set()
    if not settings.REDIS_URL:
        return
    from petrosa.core.health import worker_heartbeat_clear

    try:
        worker_heartbeat_clear(worker=_worker_name(sender))
    except Exception:  # noqa: BLE001 - the key expires on its own
        pass


def _on_child_exit(pid: int | None = None, **_: Any) -> None:
    """Drop a dead pool child's live-gauge files (counters stay: they are history)."""
    if pid and os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)


def connect_observability() -> None:
    signals.setup_logging.connect(_on_setup_logging, weak=False)
    signals.before_task_publish.connect(_on_before_publish, weak=False)
    signals.task_prerun.connect(_on_prerun, weak=False)
    signals.task_postrun.connect(_on_postrun, weak=False)
    signals.task_failure.connect(_on_failure, weak=False)
    signals.task_retry.connect(_on_retry, weak=False)
    signals.worker_ready.connect(_on_worker_ready, weak=False)
    signals.worker_shutdown.connect(_on_worker_shutdown, weak=False)
    signals.worker_process_shutdown.connect(_on_child_exit, weak=False)
