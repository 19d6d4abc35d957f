"""HTTP interface of the trading configuration (seed 004 paths).

Reads: staff, or a user (session or ``Authorization: Token``) with the
``configs_app.view_tradingconfig`` permission. Writes, dry runs and rollback:
``configs_app.change_tradingconfig``. Strategy keys can do neither. The audit
records the authenticated user as the author; the body's ``changed_by`` is
kept as the client's own label (``agent``).
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from configs_app.models import Scope
from configs_app.schema import PARAMETERS, defaults, schema_document
from configs_app.selectors import config_counts_by_scope, config_history, config_last_version, config_stored
from configs_app.serializers import (
    ConfigDeleteInputSerializer,
    ConfigHistoryResponseSerializer,
    ConfigResponseSerializer,
    ConfigRollbackInputSerializer,
    ConfigValidateInputSerializer,
    ConfigVersionSerializer,
    ConfigWriteInputSerializer,
    EnvelopeSerializer,
)
from configs_app.services import (
    ConfigChange,
    ResolvedConfig,
    ScopeRef,
    config_delete,
    config_generation,
    config_resolve_explained,
    config_rollback,
    config_scope,
    config_set,
)
from petrosa.core.api import query_int
from petrosa.core.errors import Forbidden, InvalidInput

VIEW_PERMISSION = "configs_app.view_tradingconfig"
CHANGE_PERMISSION = "configs_app.change_tradingconfig"


class MayReadConfig(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if getattr(user, "is_staff", False) or user.has_perm(VIEW_PERMISSION) or user.has_perm(CHANGE_PERMISSION):
            return True
        raise Forbidden(f"Reading trading config needs staff or the {VIEW_PERMISSION} permission.")


class MayChangeConfig(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return MayReadConfig().has_permission(request, view)
        if request.user.has_perm(CHANGE_PERMISSION):
            return True
        raise Forbidden(f"Changing trading config needs the {CHANGE_PERMISSION} permission.")


READ = [IsAuthenticated, MayReadConfig]
READ_WRITE = [IsAuthenticated, MayChangeConfig]
ERRORS = {
    400: OpenApiResponse(
        description="validation_error; fields name each parameter with code UNKNOWN_PARAMETER, "
        "INVALID_TYPE, OUT_OF_RANGE or INVALID_VALUE and its valid range"
    ),
    401: OpenApiResponse(description="not_authenticated / authentication_failed"),
    403: OpenApiResponse(description="permission_denied"),
    404: OpenApiResponse(description="not_found"),
    409: OpenApiResponse(description="stale_version: expected_version does not match"),
}
CREATED = OpenApiResponse(ConfigResponseSerializer, description="created: the scope had no config of its own before")
SCOPE_DOC = (
    "Bodies follow seed 004: {parameters, changed_by, reason, validate_only}, plus optional expected_version (409 "
    "when stale), unset (names to inherit again) and replace. Every *_pct parameter is a percent on a 0-100 scale."
)


@extend_schema(responses={200: EnvelopeSerializer}, summary="Every trading parameter: type, unit, bounds, docs")
@api_view(["GET"])
@permission_classes(READ)
def trading_schema(request: Request) -> Response:
    return Response({"success": True, "data": schema_document()})


@extend_schema(responses={200: EnvelopeSerializer}, summary="The built-in default of every trading parameter")
@api_view(["GET"])
@permission_classes(READ)
def trading_defaults(request: Request) -> Response:
    values = {name: PARAMETERS[name].to_json(value) for name, value in defaults().items()}
    return Response({"success": True, "data": {"parameters": values}})


@extend_schema(responses={200: EnvelopeSerializer}, summary="Config system health: database, cache, counts")
@api_view(["GET"])
@permission_classes(READ)
def config_health(request: Request) -> Response:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    generation = config_generation()
    data = {
        "status": "ok" if generation is not None else "degraded",
        "database": "ok",
        "cache": "ok" if generation is not None else "unavailable: every read goes to the database",
        "parameters": len(PARAMETERS),
        "configs": config_counts_by_scope(),
    }
    return Response({"success": True, "data": data})


@extend_schema(
    methods=["GET"],
    operation_id="config_global_get",
    responses={200: ConfigResponseSerializer, **ERRORS},
    summary="Global config",
    description=SCOPE_DOC,
)
@extend_schema(
    methods=["POST"],
    operation_id="config_global_set",
    request=ConfigWriteInputSerializer,
    responses={200: ConfigResponseSerializer, 201: CREATED, **ERRORS},
    summary="Change the global config (merge)",
    description=SCOPE_DOC,
)
@extend_schema(
    methods=["DELETE"],
    operation_id="config_global_delete",
    request=ConfigDeleteInputSerializer,
    responses={200: ConfigResponseSerializer, **ERRORS},
    summary="Reset the global config to the defaults",
    description=SCOPE_DOC,
)
@api_view(["GET", "POST", "DELETE"])
@permission_classes(READ_WRITE)
def trading_global(request: Request) -> Response:
    return _scope_endpoint(request, config_scope())


@extend_schema(
    methods=["GET"],
    operation_id="config_symbol_get",
    responses={200: ConfigResponseSerializer, **ERRORS},
    summary="Symbol config",
    description=SCOPE_DOC,
)
@extend_schema(
    methods=["POST"],
    operation_id="config_symbol_set",
    request=ConfigWriteInputSerializer,
    responses={200: ConfigResponseSerializer, 201: CREATED, **ERRORS},
    summary="Change a symbol's config (merge)",
    description=SCOPE_DOC,
)
@extend_schema(
    methods=["DELETE"],
    operation_id="config_symbol_delete",
    request=ConfigDeleteInputSerializer,
    responses={200: ConfigResponseSerializer, **ERRORS},
    summary="Remove a symbol's overrides",
    description=SCOPE_DOC,
)
@api_view(["GET", "POST", "DELETE"])
@permission_classes(READ_WRITE)
def trading_symbol(request: Request, symbol: str) -> Response:
    return _scope_endpoint(request, config_scope(symbol=symbol))


@extend_schema(
    methods=["GET"],
    operation_id="config_symbol_side_get",
    responses={200: ConfigResponseSerializer, **ERRORS},
    summary="Symbol-side config",
    description=SCOPE_DOC,
)
@extend_schema(
    methods=["POST"],
    operation_id="config_symbol_side_set",
    request=ConfigWriteInputSerializer,
    responses={200: ConfigResponseSerializer, 201: CREATED, **ERRORS},
    summary="Change a symbol-side (LONG/SHORT) config (merge)",
    description=SCOPE_DOC,
)
@extend_schema(
    methods=["DELETE"],
    operation_id="config_symbol_side_delete",
    request=ConfigDeleteInputSerializer,
    responses={200: ConfigResponseSerializer, **ERRORS},
    summary="Remove a symbol-side's overrides",
    description=SCOPE_DOC,
)
@api_view(["GET", "POST", "DELETE"])
@permission_classes(READ_WRITE)
def trading_symbol_side(request: Request, symbol: str, side: str) -> Response:
    return _scope_endpoint(request, config_scope(symbol=symbol, side=side))


@extend_schema(
    parameters=[
        OpenApiParameter("scope", str, enum=Scope.values, description="Only this scope"),
        OpenApiParameter("symbol", str, description="Only this symbol"),
        OpenApiParameter("side", str, enum=["LONG", "SHORT"], description="Only this side"),
        OpenApiParameter("limit", int, description="At most this many (default 100, max 500)"),
    ],
    responses={200: ConfigHistoryResponseSerializer, **ERRORS},
    summary="Config change history, newest first",
)
@api_view(["GET"])
@permission_classes(READ)
def trading_history(request: Request) -> Response:
    params = request.query_params
    scope = params.get("scope") or None
    if scope is not None and scope not in Scope.values:
        raise InvalidInput(f"scope must be one of {', '.join(Scope.values)}.", fields={"scope": ["Unknown scope."]})
    limit = query_int(params, "limit", default=100)
    entries = config_history(scope=scope, symbol=params.get("symbol"), side=params.get("side"))[:limit]
    filters = {"scope": scope, "symbol": params.get("symbol"), "side": params.get("side"), "limit": limit}
    return Response({"success": True, "data": ConfigVersionSerializer(entries, many=True).data, "metadata": filters})


@extend_schema(
    request=ConfigRollbackInputSerializer,
    responses={200: ConfigResponseSerializer, **ERRORS},
    summary="Roll a scope back to a version (itself a new, audited version)",
)
@api_view(["POST"])
@permission_classes(READ_WRITE)
def trading_rollback(request: Request) -> Response:
    data = _validated(ConfigRollbackInputSerializer, request.data)
    ref = config_scope(symbol=data["symbol"], side=data["side"])
    if data["scope"] and data["scope"] != ref.scope:
        raise InvalidInput(
            f"scope {data['scope']} does not match symbol/side ({ref.scope}).",
            fields={"scope": [f"symbol/side name the {ref.scope} scope."]},
        )
    change = config_rollback(
        ref=ref,
        version=data["version"],
        changed_by=_actor(request),
        agent=data["changed_by"],
        reason=data["reason"],
        expected_version=data["expected_version"],
        validate_only=data["validate_only"],
    )
    return _change_response(change)


@extend_schema(
    request=ConfigValidateInputSerializer,
    responses={200: EnvelopeSerializer, **ERRORS},
    summary="Validate parameters for a scope without saving (always 200 with valid and errors)",
)
@api_view(["POST"])
@permission_classes(READ_WRITE)
def config_validate(request: Request) -> Response:
    data = _validated(ConfigValidateInputSerializer, request.data)
    ref = config_scope(symbol=data["symbol"], side=data["side"])
    try:
        change = config_set(
            ref=ref, parameters=data["parameters"], changed_by=_actor(request), reason="", validate_only=True
        )
    except InvalidInput as exc:
        return Response({"success": True, "data": {"valid": False, "errors": exc.fields, "scope": ref.scope}})
    body = {"valid": True, "errors": {}, "scope": ref.scope, "resolved": _resolved_json(change.resolved)}
    return Response({"success": True, "data": body})


# --- helpers -------------------------------------------------------------------------


def _scope_endpoint(request: Request, ref: ScopeRef) -> Response:
    if request.method == "GET":
        return Response(_envelope(ref, "read", _read_view(ref)))
    actor = _actor(request)
    if request.method == "DELETE":
        raw = request.data if request.body else request.query_params.dict()
        data = _validated(ConfigDeleteInputSerializer, raw)
        change = config_delete(
            ref=ref,
            changed_by=actor,
            agent=data["changed_by"],
            reason=data["reason"],
            expected_version=data["expected_version"],
            validate_only=data["validate_only"],
        )
        return _change_response(change)
    data = _validated(ConfigWriteInputSerializer, request.data)
    change = config_set(
        ref=ref,
        parameters=data["parameters"],
        changed_by=actor,
        agent=data["changed_by"],
        reason=data["reason"],
        unset=data["unset"],
        replace=data["replace"],
        expected_version=data["expected_version"],
        validate_only=data["validate_only"],
    )
    return _change_response(change)


def _read_view(ref: ScopeRef) -> dict[str, Any]:
    row = config_stored(ref=ref)
    resolved = config_resolve_explained(symbol=ref.symbol, side=ref.side)
    return {
        **_scope_fields(ref),
        "parameters": row.parameters if row else {},
        "version": row.version if row else config_last_version(ref=ref),
        "source": "database" if row else "inherited",
        "created_at": row.created_at if row else None,
        "updated_at": row.updated_at if row else None,
        "updated_by": row.updated_by if row else None,
        "resolved": _resolved_json(resolved),
    }


def _change_response(change: ConfigChange) -> Response:
    row = change.config
    data = {
        **_scope_fields(change.ref),
        "parameters": change.after,
        "previous_parameters": change.before,
        "version": change.version,
        "source": "database" if change.after else "inherited",
        "created_at": row.created_at if row else None,
        "updated_at": row.updated_at if row else None,
        "updated_by": row.updated_by if row else None,
        "resolved": _resolved_json(change.resolved),
    }
    status = 201 if change.action == "created" else 200
    return Response(_envelope(change.ref, change.action, data, validate_only=change.validate_only), status=status)


def _envelope(ref: ScopeRef, action: str, data: dict[str, Any], *, validate_only: bool = False) -> dict[str, Any]:
    body = ConfigResponseSerializer(
        {
            "success": True,
            "data": data,
            "metadata": {"action": action, "scope": ref.scope, "validate_only": validate_only},
        }
    ).data
    return dict(body)


def _scope_fields(ref: ScopeRef) -> dict[str, Any]:
    return {"scope": ref.scope, "symbol": ref.symbol or None, "side": ref.side or None}


def _resolved_json(resolved: ResolvedConfig) -> dict[str, dict[str, Any]]:
    return {
        name: {"value": PARAMETERS[name].to_json(value), "source": resolved.sources[name]}
        for name, value in resolved.values.items()
    }


def _validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InvalidInput("The body must be a JSON object.", fields={"non_field_errors": ["Not an object."]})
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _actor(request: Request) -> str:
    return f"user:{request.user.get_username()}"
