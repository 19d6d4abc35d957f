"""Domain errors and the one DRF exception handler that renders every API error.

Every error body has the same shape so a client can branch on a stable code:

    {"error": {"code": "validation_error", "message": "...", "fields": {...}}}
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """An error the client can act on. Subclasses fix the HTTP status."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}


class InvalidInput(DomainError):
    status_code = 400
    code = "validation_error"


class Forbidden(DomainError):
    status_code = 403
    code = "permission_denied"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class Unprocessable(DomainError):
    status_code = 422
    code = "unprocessable"


class Unavailable(DomainError):
    status_code = 503
    code = "service_unavailable"


_DRF_CODES: dict[type[Exception], str] = {
    drf.ParseError: "malformed_json",
    drf.AuthenticationFailed: "authentication_failed",
    drf.NotAuthenticated: "not_authenticated",
    drf.PermissionDenied: "permission_denied",
    drf.NotFound: "not_found",
    drf.MethodNotAllowed: "method_not_allowed",
    drf.NotAcceptable: "not_acceptable",
    drf.UnsupportedMediaType: "unsupported_media_type",
    drf.Throttled: "throttled",
    drf.ValidationError: "validation_error",
}


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        set_rollback()
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status_code)
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()
    if isinstance(exc, (OperationalError, InterfaceError)):
        # The database is down or the connection broke: say so, don't 500.
        logger.warning("database unavailable during %s: %s", context.get("view"), exc)
        set_rollback()
        return Response(
            error_body("service_unavailable", "The database is unavailable; retry with the same Idempotency-Key."),
            status=503,
            headers={"Retry-After": "5"},
        )
    if isinstance(exc, DatabaseError):
        return None  # a real bug: let it surface as a 500 with a traceback in the log
    if not isinstance(exc, drf.APIException):
        return None
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]
    code = getattr(exc, "error_code", None) or next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "error")
    if isinstance(exc, drf.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            fields = {key: _messages(value) for key, value in detail.items()}
        else:
            fields = {"non_field_errors": _messages(detail)}
        first = next(iter(fields.items()))
        message = f"{first[0]}: {_first_message(first[1])}" if first[1] else "Invalid input."
        set_rollback()
        return Response(error_body(code, message, fields), status=exc.status_code, headers=headers)
    set_rollback()
    return Response(error_body(code, str(exc.detail)), status=exc.status_code, headers=headers)


def _messages(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _messages(item) for key, item in value.items()}
    if isinstance(value, list):
        if all(not isinstance(item, (dict, list)) for item in value):
            return [str(item) for item in value]
        return [_messages(item) for item in value]
    return [str(value)]


def _first_message(value: Any) -> str:
    """The first message of a nested error structure: ListField and DictField
    errors come keyed by index or key ({1: ["..."]}), not as a flat list."""
    while isinstance(value, (dict, list)) and value:
        value = next(iter(value.values())) if isinstance(value, dict) else value[0]
    return str(value)
