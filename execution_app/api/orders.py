"""HTTP interface for orders: list, inspect, cancel, and place manual orders.

A manual order is a signal from the ``manual`` strategy: it passes
aggregation and the same risk gate as every strategy's signal.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from execution_app.api.permissions import (
    CANCEL_PERMISSION,
    PLACE_PERMISSION,
    StaffOrStrategyKey,
    actor_of,
    require_operator_permission,
)
from execution_app.api.serializers import (
    ORDER_FILTERS,
    SIGNAL_TO_MANUAL,
    CancelInputSerializer,
    ManualOrderInputSerializer,
    OrderOutputSerializer,
    OrderPageSerializer,
    manual_signal_payload,
)
from execution_app.api.signal_trace import SignalTraceSerializer
from execution_app.models import Order
from execution_app.selectors import order_by_reference, orders_visible_to
from execution_app.services.lifecycle import order_changed
from execution_app.services.manual import manual_signal_submit
from execution_app.services.orders import order_cancel
from petrosa.core.api import query_int
from petrosa.core.errors import Forbidden, InvalidInput, NotFound
from petrosa.core.schema_errors import error_responses
from signals_app.auth import strategy_of
from signals_app.serializers import SignalInputSerializer

READ = [IsAuthenticated, StaffOrStrategyKey]
LIST_PARAMETERS = [
    OpenApiParameter("symbol", str, description="e.g. BTCUSDT"),
    OpenApiParameter("status", str, description="held, pending, submitting, open, partially_filled, filled, "
                                                "canceled, rejected, expired, unknown; comma-separated for several"),
    OpenApiParameter("side", str, description="BUY or SELL"),
    OpenApiParameter("role", str, description="entry, stop_loss, take_profit or close"),
    OpenApiParameter("strategy", str, description="Strategy name (staff only)"),
    OpenApiParameter("signal_id", int),
    OpenApiParameter("limit", int, description="Page size, 1-500 (default 50)"),
    OpenApiParameter("offset", int, description="Rows to skip (default 0)"),
]  # fmt: skip
ERRORS = {
    400: OpenApiResponse(description="validation_error, with fields"),
    401: OpenApiResponse(description="not_authenticated"),
    403: OpenApiResponse(description="operator_required or permission_denied"),
}


def _visible(request: Request) -> QuerySet[Order]:
    strategy = strategy_of(request)
    return orders_visible_to(
        strategy_id=strategy.pk if strategy else None, is_staff=bool(getattr(request.user, "is_staff", False))
    )


def _filtered(request: Request, queryset: QuerySet[Order]) -> QuerySet[Order]:
    params = request.query_params
    errors: dict[str, list[str]] = {}
    if params.get("symbol"):
        queryset = queryset.filter(symbol=params["symbol"].strip().upper())
    for name, allowed in ORDER_FILTERS.items():
        raw = params.get(name)
        if not raw:
            continue
        values = [v.strip() for v in raw.split(",") if v.strip()]
        values = [v.upper() for v in values] if name == "side" else values
        unknown = [v for v in values if v not in allowed]
        if unknown:
            errors[name] = [f"Unknown {name} {', '.join(unknown)}; one of {', '.join(sorted(allowed))}."]
        else:
            queryset = queryset.filter(**{f"{name}__in": values})
    if params.get("strategy"):
        queryset = queryset.filter(decision__signal__strategy__name=params["strategy"])
    if params.get("signal_id"):
        queryset = queryset.filter(signal_id=query_int(params, "signal_id", default=0, maximum=2**62))
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], fields=errors)
    return queryset


@extend_schema(
    methods=["GET"], parameters=LIST_PARAMETERS, responses={200: OrderPageSerializer, **ERRORS},
    summary="List orders, newest first (a strategy key sees its own)", operation_id="orders_list",
)  # fmt: skip
@extend_schema(
    methods=["POST"],
    request=ManualOrderInputSerializer,
    responses={202: SignalTraceSerializer, **ERRORS, **error_responses({
        422: "idempotency_key_reused: the Idempotency-Key came before with a different order",
    })},
    parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                                 description="Retries with the same key return the first order's signal.")],
    summary="Place a manual order: it becomes a signal of the manual strategy and passes the risk gate",
    description="Needs an operator with execution_app.place_manual_order. The answer is the signal with its risk "
                "decision and orders so far; follow it at GET /api/v1/signals/{id}.",
)  # fmt: skip
@api_view(["GET", "POST"])
@permission_classes(READ)
def orders_collection(request: Request) -> Response:
    if request.method == "POST":
        return _manual_order(request)
    queryset = _filtered(request, _visible(request)).order_by("-id")
    limit = query_int(request.query_params, "limit", default=50)
    offset = query_int(request.query_params, "offset", default=0, minimum=0, maximum=10**9)
    page = {"count": queryset.count(), "limit": limit, "offset": offset, "results": queryset[offset: offset + limit]}
    return Response(OrderPageSerializer(page).data)


def _manual_order(request: Request) -> Response:
    require_operator_permission(request, PLACE_PERMISSION, what="place manual orders")
    form = ManualOrderInputSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    actor = actor_of(request)
    signal_form = SignalInputSerializer(data=manual_signal_payload(form.validated_data, actor=actor))
    if not signal_form.is_valid():
        # Name the fields the operator sent, not the signal fields they became.
        raise ValidationError({SIGNAL_TO_MANUAL.get(k, k): v for k, v in signal_form.errors.items()})
    result = manual_signal_submit(
        data=signal_form.validated_data, actor=actor, idempotency_key=request.headers.get("Idempotency-Key") or None
    )
    headers = {} if result.created else {"Idempotent-Replayed": "true"}
    result.signal.refresh_from_db()
    return Response(SignalTraceSerializer(result.signal).data, status=status.HTTP_202_ACCEPTED, headers=headers)


def _visible_order(request: Request, order: Order | None, reference: object) -> Order:
    if order is None or not _visible(request).filter(pk=order.pk).exists():
        raise NotFound(f"No order {reference} visible to you.")
    return order


def _cancel(request: Request, order: Order) -> Response:
    strategy = strategy_of(request)
    if strategy is None:
        require_operator_permission(request, CANCEL_PERMISSION, what="cancel orders")
    elif order.signal.strategy_id != strategy.pk:
        raise Forbidden("A strategy may cancel only its own orders.")
    data = request.data if request.content_type == "application/json" and request.body else {}
    if not isinstance(data, dict):
        raise InvalidInput("The body must be a JSON object.", fields={"non_field_errors": ["Not an object."]})
    form = CancelInputSerializer(data={**data, **({"reason": request.query_params["reason"]}
                                                  if request.query_params.get("reason") else {})})  # fmt: skip
    form.is_valid(raise_exception=True)
    canceled = order_cancel(order_id=order.pk, actor=actor_of(request), reason=form.validated_data.get("reason", ""))
    order_changed(canceled)
    return Response(OrderOutputSerializer(_visible(request).get(pk=order.pk)).data)


DETAIL_RESPONSES = {200: OrderOutputSerializer, 404: OpenApiResponse(description="not_found"), **ERRORS}
CANCEL_RESPONSES = {
    **DETAIL_RESPONSES,
    409: OpenApiResponse(description="order_finished (already filled/canceled/rejected/expired), order_in_flight, "
                                     "or exchange_unavailable (the exchange did not answer; retry)"),
}


@extend_schema(methods=["GET"], responses=DETAIL_RESPONSES, summary="One order with its fills and protective legs",
               operation_id="orders_retrieve")  # fmt: skip
@extend_schema(
    methods=["DELETE"], request=CancelInputSerializer, responses=CANCEL_RESPONSES,
    parameters=[OpenApiParameter("reason", str, description="Kept in the audit trail")],
    summary="Cancel an order (operators with execution_app.cancel_order; a strategy its own orders)",
)  # fmt: skip
@api_view(["GET", "DELETE"])
@permission_classes(READ)
def order_detail(request: Request, order_id: int) -> Response:
    order = _visible_order(request, Order.objects.filter(pk=order_id).select_related("signal").first(), order_id)
    if request.method == "DELETE":
        return _cancel(request, order)
    return Response(OrderOutputSerializer(_visible(request).get(pk=order.pk)).data)


@extend_schema(methods=["GET"], responses=DETAIL_RESPONSES,
               summary="Seed path: an order by symbol and order id (the exchange's, else client order id, else ours)")
@extend_schema(methods=["DELETE"], request=CancelInputSerializer, responses=CANCEL_RESPONSES,
               summary="Seed path: cancel an order by symbol and order id")  # fmt: skip
@api_view(["GET", "DELETE"])
@permission_classes(READ)
def seed_order(request: Request, symbol: str, order_id: str) -> Response:
    found = order_by_reference(symbol=symbol.strip().upper(), reference=order_id)
    order = _visible_order(request, found, f"{order_id} on {symbol}")
    if request.method == "DELETE":
        return _cancel(request, order)
    return Response(OrderOutputSerializer(_visible(request).get(pk=order.pk)).data)
