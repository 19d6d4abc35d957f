"""The seed's status endpoints: GET /, /status, /execution/status,
/execution/orders, /execution/history — plus the exchange's health check.

They read every layer (signals, risk, orders), so they live in the top layer.
All read-only: selectors first, thin views below.

- GET / is public and says only what the service is and where to look
  (like /version); nothing about trading state.
- The rest need a principal: a strategy key sees its own orders, an
  operator (staff) sees all of them; anyone else gets 403.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from execution_app.api.signal_trace import OrderSerializer
from execution_app.exchange import exchange_for_mode
from execution_app.models import FINAL_ORDER_STATUSES, Fill, Order, OrderStatus
from execution_app.services.orders import reconcile_after
from petrosa.core.api import query_int
from petrosa.core.errors import Forbidden, InvalidInput
from petrosa.core.health import health_components
from petrosa.core.version import NAME, build_info
from risk_app.services.kill_switch import risk_state_get
from signals_app.auth import strategy_of
from signals_app.models import FINAL_SIGNAL_STATUSES, Signal

ACTIVE_ORDER_STATUSES = tuple(s for s in OrderStatus.values if s not in FINAL_ORDER_STATUSES)


# --- Selectors --------------------------------------------------------------------


def orders_visible_to(*, strategy_id: int | None, is_staff: bool) -> QuerySet[Order]:
    orders = Order.objects.select_related("signal__strategy").prefetch_related("fills")
    if is_staff:
        return orders
    return orders.filter(signal__strategy_id=strategy_id) if strategy_id else orders.none()


def orders_filtered(
    orders: QuerySet[Order], *, statuses: tuple[str, ...], symbol: str = "", status: str = ""
) -> QuerySet[Order]:
    orders = orders.filter(status__in=statuses)
    if symbol:
        orders = orders.filter(symbol=symbol.upper())
    if status:
        if status not in statuses:
            raise InvalidInput(
                f"status must be one of {', '.join(statuses)}.", fields={"status": [f"One of {', '.join(statuses)}."]}
            )
        orders = orders.filter(status=status)
    return orders


_PING_TIMEOUT_SECONDS = 2.0
_PING_CACHE_SECONDS = 10.0
_ping_cache: dict[str, tuple[float, tuple[bool, str]]] = {}
_ping_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="exchange-ping")


def exchange_health() -> tuple[bool, str]:
    """The exchange component of /health (settings.PETROSA_EXCHANGE_HEALTH_CHECK).

    A real exchange is pinged with a 2 s deadline and the answer kept 10 s, so
    health checks never hang on the exchange nor spend its request weight."""
    adapter = exchange_for_mode()
    if adapter.name == "paper":  # the in-process paper exchange has nothing to reach
        return True, f"paper: in-process paper exchange ({settings.EXCHANGE_MARKET})"
    cached = _ping_cache.get(adapter.name)
    if cached and time.monotonic() - cached[0] < _PING_CACHE_SECONDS:
        return cached[1]
    client = getattr(adapter, "client", None)
    ping = getattr(adapter, "ping", None) or getattr(
        client, "futures_ping" if settings.EXCHANGE_MARKET == "usdm" else "ping", None
    )
    if ping is None:
        return False, f"{adapter.name}: the adapter offers no ping"
    started = time.perf_counter()
    try:
        _ping_pool.submit(ping).result(timeout=_PING_TIMEOUT_SECONDS)
        result = True, f"{adapter.name}: ping {round((time.perf_counter() - started) * 1000, 1)} ms"
    except FutureTimeout:
        result = False, f"{adapter.name}: no answer to ping within {_PING_TIMEOUT_SECONDS:g} s"
    except Exception as exc:  # noqa: BLE001 - reported, not raised: the exchange only degrades the service
        result = False, f"{adapter.name}: ping failed ({exc.__class__.__name__}: {str(exc)[:200]})"
    _ping_cache[adapter.name] = (time.monotonic(), result)
    return result


def execution_summary() -> dict[str, Any]:
    by_status = dict(Order.objects.values_list("status").annotate(n=Count("id")).order_by("status"))
    stuck_before = timezone.now() - reconcile_after()
    try:
        exchange_ok, exchange_detail = exchange_health()
    except Exception as exc:  # noqa: BLE001 - status reports the problem instead of failing
        exchange_ok, exchange_detail = False, f"unreachable ({exc.__class__.__name__})"
    return {
        "trading_mode": settings.TRADING_MODE,
        "market": settings.EXCHANGE_MARKET,
        "exchange": {"ok": exchange_ok, "detail": exchange_detail},
        "orders_by_status": {status: by_status.get(status, 0) for status in OrderStatus.values},
        "active_orders": sum(by_status.get(status, 0) for status in ACTIVE_ORDER_STATUSES),
        "unresolved": {
            "outcome_unknown": by_status.get(OrderStatus.UNKNOWN, 0),
            "stuck_submitting": Order.objects.filter(
                status=OrderStatus.SUBMITTING, submitted_at__lt=stuck_before
            ).count(),
        },
        "fills": {
            "today": Fill.objects.filter(created_at__date=timezone.now().date()).count(),
            "last_at": Fill.objects.aggregate(last=Max("created_at"))["last"],
        },
    }


def system_status() -> dict[str, Any]:
    components = health_components()
    critical_down = any(not c.ok and c.critical for c in components)
    degraded = any(not c.ok for c in components)
    risk = risk_state_get()
    waiting = dict(
        Signal.objects.exclude(status__in=FINAL_SIGNAL_STATUSES)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by("status")
    )
    return {
        "status": "unhealthy" if critical_down else ("degraded" if degraded else "healthy"),
        "version": build_info().version,
        "trading_mode": settings.TRADING_MODE,
        "components": {c.name: {"status": c.state, "detail": c.detail} for c in components},
        "risk": {
            "mode": risk.mode,
            "breaker_tripped": bool(getattr(risk, "breaker_tripped", False)),
            "reason": risk.reason,
            "changed_by": risk.changed_by,
            "changed_at": risk.changed_at,
        },
        "signals_waiting": waiting,
        "active_orders": Order.objects.filter(status__in=ACTIVE_ORDER_STATUSES).count(),
    }


# --- Views ------------------------------------------------------------------------


class StaffOrStrategyKey(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        if strategy_of(request) is not None or getattr(request.user, "is_staff", False):
            return True
        raise Forbidden("Only operators (staff) and strategy keys may read this.", code="operator_required")


READ = [IsAuthenticated, StaffOrStrategyKey]
ORDER_FILTERS = [
    OpenApiParameter("symbol", str, description="Only this symbol, e.g. BTCUSDT"),
    OpenApiParameter("status", str, description="Only this status (one of the endpoint's statuses)"),
    OpenApiParameter("limit", int, description="At most this many, newest first (1-500, default 100)"),
]
ANY_DICT = serializers.DictField()


class OrderRowSerializer(OrderSerializer):
    signal_id = serializers.IntegerField(read_only=True)
    strategy = serializers.CharField(source="signal.strategy.name", read_only=True)

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "signal_id", "strategy"]
        read_only_fields = fields


ServiceInfo = inline_serializer(
    "ServiceInfo",
    {"service": serializers.CharField(), "name": serializers.CharField(), "version": serializers.CharField(),
     "status": serializers.CharField(), "links": ANY_DICT},
)  # fmt: skip
SystemStatus = inline_serializer(
    "SystemStatus",
    {"status": serializers.CharField(), "version": serializers.CharField(), "trading_mode": serializers.CharField(),
     "components": ANY_DICT, "risk": ANY_DICT, "signals_waiting": ANY_DICT,
     "active_orders": serializers.IntegerField()},
)  # fmt: skip
ExecutionStatus = inline_serializer(
    "ExecutionStatus",
    {"trading_mode": serializers.CharField(), "market": serializers.CharField(), "exchange": ANY_DICT,
     "orders_by_status": ANY_DICT, "active_orders": serializers.IntegerField(), "unresolved": ANY_DICT,
     "fills": ANY_DICT},
)  # fmt: skip


@extend_schema(responses={200: ServiceInfo}, summary="Service information (public)", auth=[])
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def service_info(request: Request) -> Response:
    return Response(
        {
            "service": "petrosa-control-plane",
            "name": NAME,
            "version": build_info().version,
            "status": "running",
            "links": {
                "health": "/health", "ready": "/ready", "live": "/live", "version": "/version",
                "metrics": "/metrics", "docs": "/api/docs/", "schema": "/api/schema/", "status": "/status",
            },
        }
    )  # fmt: skip


@extend_schema(responses={200: SystemStatus}, summary="System status: components, risk mode, work waiting")
@api_view(["GET"])
@permission_classes(READ)
def status_view(request: Request) -> Response:
    return Response(system_status())


@extend_schema(responses={200: ExecutionStatus}, summary="Execution engine status")
@api_view(["GET"])
@permission_classes(READ)
def execution_status(request: Request) -> Response:
    return Response(execution_summary())


def _orders_response(request: Request, statuses: tuple[str, ...]) -> Response:
    strategy = strategy_of(request)
    visible = orders_visible_to(
        strategy_id=strategy.pk if strategy else None, is_staff=bool(getattr(request.user, "is_staff", False))
    )
    orders = orders_filtered(
        visible,
        statuses=statuses,
        symbol=request.query_params.get("symbol", ""),
        status=request.query_params.get("status", ""),
    ).order_by("-id")[: query_int(request.query_params, "limit", default=100)]
    return Response(OrderRowSerializer(orders, many=True).data)


@extend_schema(
    responses={200: OrderRowSerializer(many=True)}, parameters=ORDER_FILTERS, summary="Active orders (not yet final)"
)
@api_view(["GET"])
@permission_classes(READ)
def execution_orders(request: Request) -> Response:
    return _orders_response(request, ACTIVE_ORDER_STATUSES)


@extend_schema(
    responses={200: OrderRowSerializer(many=True)}, parameters=ORDER_FILTERS, summary="Order history, newest first"
)
@api_view(["GET"])
@permission_classes(READ)
def execution_history(request: Request) -> Response:
    return _orders_response(request, tuple(sorted(FINAL_ORDER_STATUSES)))
