"""HTTP interface for signals: validate, call the intake service, render."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from petrosa.core.api import query_int
from petrosa.core.errors import Forbidden
from petrosa.core.schema_errors import error_responses
from signals_app.auth import strategy_of
from signals_app.models import Action, SignalStatus
from signals_app.selectors import signals_visible_to
from signals_app.serializers import SignalInputSerializer, SignalOutputSerializer
from signals_app.services.intake import signal_intake

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, description="Retries with the same key return the first response."
)


@extend_schema(
    methods=["POST"],
    request=SignalInputSerializer,
    responses={
        202: SignalOutputSerializer,
        **error_responses({
            403: "strategy_key_required (not a strategy key) or strategy_mismatch (strategy_id names another strategy)",
            422: "idempotency_key_reused: the Idempotency-Key (or signal_id) came before with a different payload",
        }),
    },
    parameters=[IDEMPOTENCY_HEADER],
    summary="Send a trading signal",
)
@extend_schema(
    methods=["GET"],
    parameters=[
        OpenApiParameter("symbol", str, description="Only this symbol, e.g. BTCUSDT"),
        OpenApiParameter("status", str, enum=SignalStatus.values, description="Only this status"),
        OpenApiParameter("action", str, enum=Action.values, description="Only this action"),
        OpenApiParameter("limit", int, description="At most this many, newest first (1-500, default 100)"),
    ],
    responses={200: SignalOutputSerializer(many=True)},
    summary="List signals",
)
@api_view(["GET", "POST"])
def signals_collection(request: Request) -> Response:
    if request.method == "GET":
        strategy = strategy_of(request)
        queryset = signals_visible_to(
            strategy_id=strategy.pk if strategy else None, is_staff=bool(getattr(request.user, "is_staff", False))
        )
        for name in ("symbol", "status", "action"):
            if request.query_params.get(name):
                queryset = queryset.filter(**{name: request.query_params[name]})
        limit = query_int(request.query_params, "limit", default=100)
        return Response(SignalOutputSerializer(queryset[:limit], many=True).data)

    strategy = strategy_of(request)
    if strategy is None:
        raise Forbidden("Only a strategy API key can send signals.", code="strategy_key_required")
    serializer = SignalInputSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    result = signal_intake(
        strategy=strategy,
        data=serializer.validated_data,
        idempotency_key=request.headers.get("Idempotency-Key") or None,
    )
    headers = {} if result.created else {"Idempotent-Replayed": "true"}
    return Response(SignalOutputSerializer(result.signal).data, status=status.HTTP_202_ACCEPTED, headers=headers)
