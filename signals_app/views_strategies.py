"""HTTP interface for operators (seeds 000 and 003): strategies, their
activation and weight, and the signal summary and active list.

Reads: staff see everything; a strategy key sees only itself. Writes: staff
with the ``signals_app.change_strategy`` permission, never a strategy key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from petrosa.core.api import ExactModelSerializer, query_int
from petrosa.core.errors import Forbidden
from signals_app.auth import strategy_of
from signals_app.engine.selectors import builtin_summary, strategies_with_builtin, strategy_builtin
from signals_app.models import SignalStatus, Strategy
from signals_app.selectors import (
    signal_summary,
    signals_active,
    strategies_with_signal_counts,
    strategy_signal_counts,
)
from signals_app.serializers import SignalOutputSerializer
from signals_app.services.strategy_admin import (
    StrategyChange,
    strategy_activate,
    strategy_deactivate,
    strategy_set_weight,
)

CHANGE_STRATEGY_PERMISSION = "signals_app.change_strategy"
SUMMARY_MAX_MINUTES = 7 * 24 * 60


class StaffOrStrategyKey(BasePermission):
    """Reads: staff, or a strategy key (which the selectors scope to itself)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if strategy_of(request) is not None or getattr(request.user, "is_staff", False):
            return True
        raise Forbidden("Only operators (staff) and strategy keys may read this.", code="operator_required")


class MayChangeStrategies(BasePermission):
    """Writes: an operator with signals_app.change_strategy; never a strategy key."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if strategy_of(request) is not None:
            raise Forbidden("A strategy key cannot change strategies; an operator must.", code="operator_required")
        if not getattr(request.user, "is_staff", False):
            raise Forbidden("Only operators (staff) may change strategies.", code="operator_required")
        if not request.user.has_perm(CHANGE_STRATEGY_PERMISSION):
            raise Forbidden(f"Changing strategies needs the {CHANGE_STRATEGY_PERMISSION} permission.")
        return True


READ_PERMISSIONS = [IsAuthenticated, StaffOrStrategyKey]
WRITE_PERMISSIONS = [IsAuthenticated, MayChangeStrategies]
WRITE_ERRORS = {
    400: OpenApiResponse(description="validation_error: reason missing or blank; weight out of range"),
    401: OpenApiResponse(description="not_authenticated"),
    403: OpenApiResponse(description="operator_required (strategy key, non-staff) or permission_denied"),
    404: OpenApiResponse(description="not_found: no strategy with that name"),
}


class SignalCountsSerializer(serializers.Serializer):
    """One count per signal status, plus the total."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {name: serializers.IntegerField() for name in (*SignalStatus.values, "total")}


class BuiltinStateSerializer(serializers.Serializer):
    symbol = serializers.CharField()
    last_tick_at = serializers.DateTimeField(allow_null=True)
    indicators = serializers.DictField(child=serializers.CharField())
    last_signal_action = serializers.CharField(allow_null=True)
    last_signal_at = serializers.DateTimeField(allow_null=True)
    last_signal_id = serializers.IntegerField(allow_null=True)


class BuiltinSummarySerializer(serializers.Serializer):
    type = serializers.CharField(help_text="ma_crossover or rsi_reversion")
    label = serializers.CharField()
    symbols = serializers.ListField(child=serializers.CharField())
    timeframe = serializers.CharField()
    parameters = serializers.DictField(help_text="Integers, and decimals as strings")
    state = BuiltinStateSerializer(many=True, help_text="Per symbol, as of the last tick")


class StrategyOutputSerializer(ExactModelSerializer):
    signal_counts = serializers.SerializerMethodField()
    kind = serializers.SerializerMethodField(help_text="builtin (runs inside Petrosa) or external (sends signals)")
    builtin = serializers.SerializerMethodField(help_text="A built-in strategy's config and state; null if external")

    class Meta:
        model = Strategy
        fields = ["name", "description", "kind", "is_active", "weight", "key_prefix", "created_at", "key_rotated_at",
                  "signal_counts", "builtin"]  # fmt: skip
        read_only_fields = fields

    def get_kind(self, strategy: Strategy) -> str:
        return "builtin" if strategy_builtin(strategy) else "external"

    @extend_schema_field(BuiltinSummarySerializer(allow_null=True))
    def get_builtin(self, strategy: Strategy) -> dict[str, Any] | None:
        builtin = strategy_builtin(strategy)
        return BuiltinSummarySerializer(builtin_summary(builtin)).data if builtin else None

    @extend_schema_field(SignalCountsSerializer)
    def get_signal_counts(self, strategy: Strategy) -> dict[str, int]:
        return strategy_signal_counts(strategy)


class StrategyReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why: kept in the audit trail.")


class StrategyWeightInputSerializer(StrategyReasonInputSerializer):
    weight = serializers.DecimalField(max_digits=8, decimal_places=4, help_text="Greater than 0 and at most 10.")


class StrategyChangeDetailSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="strategy.activated, strategy.deactivated or strategy.weight_changed")
    before = serializers.JSONField(help_text="is_active (boolean) or weight (decimal string) before the change")
    after = serializers.JSONField()
    reason = serializers.CharField()
    actor = serializers.CharField(help_text="user:<username>")
    audit_event_id = serializers.IntegerField()
    at = serializers.DateTimeField()


class StrategyChangeOutputSerializer(serializers.Serializer):
    strategy = StrategyOutputSerializer()
    change = StrategyChangeDetailSerializer()


class StrategySignalSummarySerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())


class SignalSummarySerializer(serializers.Serializer):
    since = serializers.DateTimeField()
    until = serializers.DateTimeField()
    since_minutes = serializers.IntegerField()
    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField(), help_text="Every status, zeros included.")
    by_action = serializers.DictField(child=serializers.IntegerField(), help_text="Every action, zeros included.")
    by_symbol = serializers.DictField(child=serializers.IntegerField(), help_text="Symbols seen in the window.")
    by_strategy = serializers.DictField(child=StrategySignalSummarySerializer(), help_text="Strategies seen.")


@extend_schema(
    responses={200: StrategyOutputSerializer(many=True)},
    summary="List strategies with their signal counts",
    description="Staff see every strategy; a strategy key sees only its own. The key's hash is never shown.",
)
@api_view(["GET"])
@permission_classes(READ_PERMISSIONS)
def strategies_collection(request: Request) -> Response:
    strategies = strategies_with_builtin(strategies_with_signal_counts(strategy_id=_own_strategy_id(request)))
    return Response(StrategyOutputSerializer(strategies, many=True).data)


@extend_schema(
    request=StrategyReasonInputSerializer,
    responses={200: StrategyChangeOutputSerializer, 409: OpenApiResponse(description="already_active"), **WRITE_ERRORS},
    summary="Activate a strategy: its key works again",
)
@api_view(["POST"])
@permission_classes(WRITE_PERMISSIONS)
def activate_strategy(request: Request, name: str) -> Response:
    reason = _validated(StrategyReasonInputSerializer, request)["reason"]
    return _change_response(strategy_activate(name=name, reason=reason, actor=_actor(request)))


@extend_schema(
    request=StrategyReasonInputSerializer,
    responses={
        200: StrategyChangeOutputSerializer,
        409: OpenApiResponse(description="already_inactive"),
        **WRITE_ERRORS,
    },
    summary="Deactivate a strategy: its key is refused from the next request on",
)
@api_view(["POST"])
@permission_classes(WRITE_PERMISSIONS)
def deactivate_strategy(request: Request, name: str) -> Response:
    reason = _validated(StrategyReasonInputSerializer, request)["reason"]
    return _change_response(strategy_deactivate(name=name, reason=reason, actor=_actor(request)))


@extend_schema(
    request=StrategyWeightInputSerializer,
    responses={
        200: StrategyChangeOutputSerializer,
        409: OpenApiResponse(description="weight_unchanged"),
        **WRITE_ERRORS,
    },
    summary="Set a strategy's weight (0 < weight <= 10)",
)
@api_view(["POST"])
@permission_classes(WRITE_PERMISSIONS)
def set_strategy_weight(request: Request, name: str) -> Response:
    data = _validated(StrategyWeightInputSerializer, request)
    change = strategy_set_weight(name=name, weight=data["weight"], reason=data["reason"], actor=_actor(request))
    return _change_response(change)


@extend_schema(
    parameters=[
        OpenApiParameter("since_minutes", int, description=f"Window in minutes: 1 to {SUMMARY_MAX_MINUTES}, default 60")
    ],
    responses={200: SignalSummarySerializer},
    summary="Signal counts by status, action, symbol and strategy over a window",
    description="Counts signals received in the last since_minutes. A strategy key counts only its own signals.",
)
@api_view(["GET"])
@permission_classes(READ_PERMISSIONS)
def signals_summary(request: Request) -> Response:
    minutes = query_int(request.query_params, "since_minutes", default=60, maximum=SUMMARY_MAX_MINUTES)
    until = timezone.now()
    since = until - timedelta(minutes=minutes)
    summary = signal_summary(strategy_id=_own_strategy_id(request), since=since, until=until)
    return Response(SignalSummarySerializer({**asdict(summary), "since_minutes": minutes}).data)


@extend_schema(
    parameters=[
        OpenApiParameter("symbol", str, description="Only this symbol, e.g. BTCUSDT."),
        OpenApiParameter("limit", int, description="At most this many (default 100, max 500)."),
    ],
    responses={200: SignalOutputSerializer(many=True)},
    summary="Signals not yet in a final status (received, accepted, pending_review), newest first",
)
@api_view(["GET"])
@permission_classes(READ_PERMISSIONS)
def active_signals(request: Request) -> Response:
    limit = query_int(request.query_params, "limit", default=100)
    signals = signals_active(
        strategy_id=_own_strategy_id(request),
        is_staff=bool(getattr(request.user, "is_staff", False)),
        symbol=request.query_params.get("symbol") or None,
    )
    return Response(SignalOutputSerializer(signals[:limit], many=True).data)


def _own_strategy_id(request: Request) -> int | None:
    """The caller's strategy when it is a strategy key; None for staff, who see all."""
    strategy = strategy_of(request)
    return strategy.pk if strategy else None


def _actor(request: Request) -> str:
    return f"user:{request.user.get_username()}"


def _validated(serializer_class: Callable[..., serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _change_response(change: StrategyChange) -> Response:
    strategy = strategies_with_builtin(strategies_with_signal_counts(strategy_id=change.strategy.pk)).get()
    event = change.audit_event
    detail = {
        "kind": event.kind,
        "before": event.data["before"],
        "after": event.data["after"],
        "reason": event.data["reason"],
        "actor": event.actor,
        "audit_event_id": event.pk,
        "at": event.created_at,
    }
    return Response(StrategyChangeOutputSerializer({"strategy": strategy, "change": detail}).data)
