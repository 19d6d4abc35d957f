"""Structured logs: one JSON object per line, a correlation id on every record,
and secrets redacted before any handler sees them.

The correlation id lives in a context variable. The request middleware sets
it (from ``X-Correlation-ID`` or a new one), Celery carries it in a task
header (petrosa.core.metrics.celery_hooks) and every task sets it again, so
one id follows a signal from the request through every stage.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import traceback
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpRequest, HttpResponse

CORRELATION_HEADER = "X-Correlation-ID"
# Celery already uses "correlation_id" (= the task id) in its protocol; ours is namespaced.
TASK_HEADER = "petrosa_correlation_id"
REDACTED = "[REDACTED]"

_correlation_id: contextvars.ContextVar[str] = contextvars.ContextVar("petrosa_correlation_id", default="")
_task: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("petrosa_task", default=None)
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def correlation_id_get() -> str:
    return _correlation_id.get()


def correlation_id_new() -> str:
    return uuid.uuid4().hex


def correlation_id_clean(raw: str | None) -> str:
    """A caller's id if it is a plain token that fits Signal.correlation_id; else a new one.
    Anything else (newlines, 1 KB strings) would let a client forge log lines."""
    if raw and _SAFE_ID.match(raw):
        return raw
    return correlation_id_new()


def correlation_id_bind(value: str) -> contextvars.Token[str]:
    return _correlation_id.set(value)


def correlation_id_reset(token: contextvars.Token[str]) -> None:
    _correlation_id.reset(token)


def task_context_bind(name: str, task_id: str) -> contextvars.Token[tuple[str, str] | None]:
    return _task.set((name, task_id))


def task_context_reset(token: contextvars.Token[tuple[str, str] | None]) -> None:
    _task.reset(token)


# --- Redaction ------------------------------------------------------------------

_SENSITIVE_NAME = (
    r"(?:api[_-]?key|apikey|x-mbx-apikey|secret|token|password|passwd|signature|authorization|cookie|sessionid"
    r"|csrftoken)"
)
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # name=value, name: value, "name": "value" (query strings, headers, JSON, reprs), scheme included.
    (
        re.compile(
            rf"(?i)([\w-]*{_SENSITIVE_NAME}[\w-]*)([\"']?\s*[:=]\s*[\"']?)"
            r"(?:(?:bearer|token|basic)\s+)?(?!\[REDACTED\])[^\s\"'&,;})\]]+"
        ),
        r"\1\2" + REDACTED,
    ),
    (re.compile(r"(?i)\b(bearer|token|basic)\s+(?!\[REDACTED\])[A-Za-z0-9._~+/=\-]{8,}"), r"\1 " + REDACTED),
    # Our own API keys and user tokens anywhere: keep the public lookup prefix, drop the secret.
    (re.compile(r"\b(pt[a-z]_[A-Za-z0-9]+_)[A-Za-z0-9_\-]+"), r"\1" + REDACTED),
    # Credentials inside URLs: scheme://user:password@host
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^/\s:@]*:)[^/\s@]+@"), r"\1" + REDACTED + "@"),
]


def _configured_secrets() -> list[str]:
    """Secret values the process knows, redacted wherever they appear verbatim."""
    values = [
        getattr(settings, "SECRET_KEY", ""),
        getattr(settings, "BINANCE_API_KEY", ""),
        getattr(settings, "BINANCE_API_SECRET", ""),
    ]
    for url in (getattr(settings, "DATABASE_URL", ""), getattr(settings, "REDIS_URL", "")):
        password = urlsplit(url).password if url else None
        values.append(password or "")
    return [value for value in values if len(value) >= 6]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    for secret in _configured_secrets():
        text = text.replace(secret, REDACTED)
    return text


_STANDARD_ATTRS = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__.keys()
    | {"message", "asctime", "correlation_id", "task_name", "task_id"}
)
_SENSITIVE_KEY = re.compile(rf"(?i){_SENSITIVE_NAME}")


class SecretRedactionFilter(logging.Filter):
    """Rewrites the record in place, so every handler and formatter gets the
    redacted text: the message with its arguments, the traceback, and extras
    whose names say they hold a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not lose the record
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for key, value in list(record.__dict__.items()):
            if key in _STANDARD_ATTRS:
                continue
            if _SENSITIVE_KEY.search(key):
                record.__dict__[key] = REDACTED
            elif isinstance(value, str):
                record.__dict__[key] = redact(value)
        return True


class CorrelationIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = _correlation_id.get()
        task = _task.get()
        record.task_name, record.task_id = task if task else ("", "")
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, correlation id,
    the task when inside one, process, plus any simple `extra=` values."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": getattr(record, "correlation_id", "") or _correlation_id.get(),
            "process": record.process,
        }
        if getattr(record, "task_name", ""):
            entry["task"] = record.task_name
            entry["task_id"] = record.task_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_") and isinstance(value, (str, int, float, bool)):
                entry.setdefault(key, value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, default=str, ensure_ascii=False)


def logging_config(*, level: str, fmt: str) -> dict[str, Any]:
    """settings.LOGGING: every record goes through the correlation and redaction filters."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "correlation": {"()": "petrosa.core.logging.CorrelationIdFilter"},
            "redact": {"()": "petrosa.core.logging.SecretRedactionFilter"},
        },
        "formatters": {
            "json": {"()": "petrosa.core.logging.JsonFormatter"},
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "plain" if fmt == "plain" else "json",
                "filters": ["correlation", "redact"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # The request middleware logs each request with its correlation id already.
            "uvicorn.access": {"level": "WARNING"},
        },
    }


# --- Request middleware ---------------------------------------------------------

request_logger = logging.getLogger("petrosa.request")
# Probes and scrapes arrive every few seconds; logging each would drown the rest.
_QUIET_PATHS = frozenset({"/health", "/ready", "/live", "/metrics", "/version"})


class CorrelationIdMiddleware:
    """Sets the correlation id for the request (the caller's X-Correlation-ID, or
    a new one), returns it in the response header, and logs one line per request."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if self.is_async:
            return self._acall(request)
        token, started = self._start(request)
        try:
            response = self.get_response(request)
            self._finish(request, response, started)
            return response
        finally:
            correlation_id_reset(token)

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        token, started = self._start(request)
        try:
            response = await self.get_response(request)
            self._finish(request, response, started)
            return response
        finally:
            correlation_id_reset(token)

    @staticmethod
    def _start(request: HttpRequest) -> tuple[contextvars.Token[str], float]:
        correlation_id = correlation_id_clean(request.headers.get(CORRELATION_HEADER))
        request.correlation_id = correlation_id  # type: ignore[attr-defined]
        return correlation_id_bind(correlation_id), time.perf_counter()

    @staticmethod
    def _finish(request: HttpRequest, response: HttpResponse, started: float) -> None:
        response[CORRELATION_HEADER] = correlation_id_get()
        if request.path in _QUIET_PATHS:
            return
        request_logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "http_method": request.method,
                "path": request.path,
                "status_code": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            },
        )
