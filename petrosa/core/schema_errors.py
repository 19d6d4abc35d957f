"""The error envelope in the OpenAPI schema, declared once for every operation.

Every API error leaves petrosa.core.errors.api_exception_handler with one body:

    {"error": {"code": "validation_error", "message": "...", "fields": {...}}}

ErrorResponsesAutoSchema (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]) adds the
statuses any endpoint can answer because of what it is, so a new endpoint
documents them without asking:

* 400 when it takes a request body or query parameters (validation_error, malformed_json);
* 401 and 403 when it authenticates and checks permissions;
* 404 when its path has parameters (nothing by that id or name);
* 415 when it takes a request body (a body that is not JSON);
* 429 when it is throttled;
* 503 when it authenticates, i.e. reads the database (service_unavailable while it is down).

What only one endpoint does (409 stale_version, 422 idempotency_key_reused or
exchange_rejected, 503 advisor_unavailable...) its view declares with
``extend_schema(responses=error_responses({409: "stale_version: ..."}))``. A
view may also declare a status with a bare ``OpenApiResponse(description=...)``:
any 4xx/5xx without a body gets the envelope here.
"""

from __future__ import annotations

import copy
from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

BODY_METHODS = ("POST", "PUT", "PATCH")

# What each automatic status means, in the envelope's codes.
DEFAULT_DESCRIPTIONS: dict[str, str] = {
    "400": "validation_error (fields names each invalid field or query parameter) or malformed_json",
    "401": "not_authenticated (no credentials) or authentication_failed (wrong, revoked or inactive key or token)",
    "403": "permission_denied, or operator_required (a strategy key or a non-staff user where an operator must act)",
    "404": "not_found: nothing by that id or name (or not visible to you)",
    "415": "unsupported_media_type: send the body as application/json",
    "429": "throttled: too many requests; retry after Retry-After seconds",
    "503": "service_unavailable: the database is unavailable; retry later (with the same Idempotency-Key, if sent)",
}
HEADERS: dict[str, dict[str, Any]] = {
    "401": {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "The scheme to authenticate with."}},
    "429": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}},
    "503": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait, when known."}},
}


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable and machine-readable: branch on this, e.g. validation_error.")
    message = serializers.CharField(help_text="For people: what went wrong and what to do.")
    fields = serializers.DictField(
        required=False,
        help_text="Only for invalid input: each field (or query parameter) -> its messages; nested for nested input.",
    )


class ErrorEnvelopeSerializer(serializers.Serializer):
    error = ErrorSerializer()


def error_response(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorEnvelopeSerializer, description=description)


def error_responses(descriptions: dict[int, str]) -> dict[int, OpenApiResponse]:
    """For extend_schema(responses={200: X, **error_responses({409: "stale_version: ..."})})."""
    return {status: error_response(description) for status, description in descriptions.items()}


class ErrorResponsesAutoSchema(AutoSchema):
    def get_operation(self, path: str, path_regex: str, path_prefix: str, method: str,
                      registry: Any) -> dict[str, Any] | None:  # fmt: skip
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        for parameter in operation.get("parameters", []):
            schema = parameter.get("schema", {})
            if parameter.get("in") == "path" and schema.get("type") == "integer":
                schema.setdefault("minimum", 0)  # Django's <int:...> matches digits only: -1 is no route at all
        responses: dict[str, Any] = operation["responses"]
        for status in self._automatic_statuses(operation):
            responses.setdefault(status, {"description": DEFAULT_DESCRIPTIONS[status]})
            if status == "503" and "service_unavailable" not in responses[status].get("description", ""):
                # An endpoint's own 503 (advisor_unavailable) does not stop the database from being down.
                responses[status]["description"] += f"; or {DEFAULT_DESCRIPTIONS[status]}"
        for status, response in list(responses.items()):
            if status[0] in "45" and "content" not in response:
                described = error_response(response.get("description") or DEFAULT_DESCRIPTIONS.get(status, ""))
                responses[status] = self._get_response_for_code(described, status)
            if status in HEADERS:
                responses[status].setdefault("headers", {}).update(copy.deepcopy(HEADERS[status]))
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _automatic_statuses(self, operation: dict[str, Any]) -> list[str]:
        places = {parameter.get("in") for parameter in operation.get("parameters", [])}
        has_body = "requestBody" in operation and self.method in BODY_METHODS
        authenticates = bool(self.view.get_authenticators())
        guarded = not all(isinstance(p, AllowAny) for p in self.view.get_permissions())
        statuses = []
        if has_body or "query" in places:
            statuses.append("400")
        if authenticates:
            statuses.append("401")
        if guarded:
            statuses.append("403")
        if "path" in places:
            statuses.append("404")
        if has_body:
            statuses.append("415")
        if self.view.get_throttles():
            statuses.append("429")
        if authenticates or guarded:
            statuses.append("503")
        return statuses
