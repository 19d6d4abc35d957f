"""Leverage and reconciliation over HTTP, for operators (staff) only.

* GET  /api/v1/config/leverage/status: configured vs actual leverage and margin type per symbol.
* POST /api/v1/config/leverage/{symbol}/sync {"reason"}: force a sync now (``force_leverage``).
* GET  /api/v1/reconciliation/status: the last run and every open difference.
* POST /api/v1/reconciliation/run: run one now (``resolve_reconciliation``).
* POST /api/v1/reconciliation/issues/{id}/resolve {"action", "reason"}: adopt, close,
  cancel_orphan or ignore (``resolve_reconciliation``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from execution_app.api.permissions import require_operator_permission
from execution_app.exchange import exchange_for_mode
from execution_app.exchange.base import ExchangeRejected
from execution_app.exchange.paper_engine import PaperBinanceError
from execution_app.models_binance import IssueStatus, ReconciliationIssue, ReconciliationRun, SymbolLeverage
from execution_app.services.leverage import leverage_force, leverage_status_data
from execution_app.services.reconciliation import reconciliation_run
from execution_app.services.reconciliation_actions import issue_actions, reconciliation_issue_resolve
from petrosa.core.errors import Forbidden, NotFound, Unprocessable
from petrosa.core.schema_errors import error_responses
from signals_app.serializers import SYMBOL_PATTERN

VIEW_LEVERAGE = "execution_app.view_symbolleverage"
FORCE_LEVERAGE = "execution_app.force_leverage"
VIEW_RECONCILIATION = "execution_app.view_reconciliationissue"
RESOLVE_RECONCILIATION = "execution_app.resolve_reconciliation"
NOT_IN_MODE = "not_supported_in_mode: this trading mode's exchange cannot do it (e.g. no leverage on spot)"


class LeverageSyncInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500, allow_blank=False)


class ReconciliationResolveInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=["adopt", "close", "cancel_orphan", "ignore"])
    reason = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


class LeverageRowSerializer(serializers.Serializer):
    symbol = serializers.CharField()
    configured_leverage = serializers.IntegerField(allow_null=True)
    configured_margin_type = serializers.CharField()
    actual_leverage = serializers.IntegerField(allow_null=True)
    actual_margin_type = serializers.CharField()
    in_sync = serializers.BooleanField()
    last_error_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField()
    last_sync_at = serializers.DateTimeField(allow_null=True)
    forced_by = serializers.CharField()
    forced_at = serializers.DateTimeField(allow_null=True)


class LeverageStatusSerializer(serializers.Serializer):
    mode = serializers.CharField()
    market = serializers.CharField()
    symbols = LeverageRowSerializer(many=True)


class ReconciliationRunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    trigger = serializers.CharField()
    exchange = serializers.CharField()
    status = serializers.CharField()
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    orders_checked = serializers.IntegerField()
    positions_checked = serializers.IntegerField()
    differences_found = serializers.IntegerField()
    resolved_automatically = serializers.IntegerField()
    error = serializers.CharField()


class ReconciliationDifferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    symbol = serializers.CharField()
    position_side = serializers.CharField()
    client_order_id = serializers.CharField()
    order_id = serializers.IntegerField(allow_null=True)
    ours = serializers.JSONField()
    theirs = serializers.JSONField()
    status = serializers.CharField()
    resolution = serializers.CharField()
    resolved_by = serializers.CharField()
    reason = serializers.CharField()
    actions = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()


class ReconciliationStatusSerializer(serializers.Serializer):
    mode = serializers.CharField()
    last_run = ReconciliationRunSerializer(allow_null=True)
    open_differences = ReconciliationDifferenceSerializer(many=True)
    trading_blocked = serializers.BooleanField()


def _require_staff(request: Request) -> None:
    if not getattr(request.user, "is_staff", False):
        raise Forbidden("Only operators (staff) may read this.", code="operator_required")


def _binance_exchange(capability: str) -> Any:
    exchange = exchange_for_mode()
    if not hasattr(exchange, capability):
        raise Unprocessable(
            f"PETROSA_TRADING_MODE={settings.TRADING_MODE} (market {settings.EXCHANGE_MARKET}) cannot do this; "
            "it needs Binance testnet or live.",
            code="not_supported_in_mode",
        )
    return exchange


@extend_schema(
    summary="Leverage and margin type per symbol: configured vs on the exchange",
    responses={200: LeverageStatusSerializer},
)
@api_view(["GET"])
def leverage_status(request: Request) -> Response:
    _require_staff(request)
    rows = SymbolLeverage.objects.order_by("symbol")
    return Response({
        "mode": settings.TRADING_MODE,
        "market": settings.EXCHANGE_MARKET,
        "symbols": [leverage_status_data(row) for row in rows],
    })  # fmt: skip


@extend_schema(
    summary="Force the configured leverage and margin type onto the exchange now",
    request=LeverageSyncInput,
    responses={200: LeverageRowSerializer, **error_responses({
        404: "unknown_symbol: not a symbol (5-20 letters or digits)",
        422: f"{NOT_IN_MODE}, or exchange_rejected: the exchange refused (e.g. a symbol it does not list)",
    })},
)
@api_view(["POST"])
def leverage_sync(request: Request, symbol: str) -> Response:
    require_operator_permission(request, FORCE_LEVERAGE, what="force leverage")
    data = LeverageSyncInput(data=request.data)
    data.is_valid(raise_exception=True)
    symbol = symbol.upper()
    if not SYMBOL_PATTERN.match(symbol):
        raise NotFound(f"No symbol {symbol[:40]!r}: a symbol is 5-20 letters or digits, e.g. BTCUSDT.",
                       code="unknown_symbol")  # fmt: skip
    exchange = _binance_exchange("set_leverage")
    try:
        row = leverage_force(exchange=exchange, symbol=symbol, actor=f"user:{request.user.get_username()}",
                             reason=data.validated_data["reason"])  # fmt: skip
    except (ExchangeRejected, PaperBinanceError) as exc:
        # -1121 "Invalid symbol" and friends: the exchange's answer, not our failure.
        raise Unprocessable(f"The exchange refused the sync for {symbol}: {exc}", code="exchange_rejected") from exc
    return Response(leverage_status_data(row))


def _run_data(run: ReconciliationRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "id": run.pk, "trigger": run.trigger, "exchange": run.exchange, "status": run.status,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "orders_checked": run.orders_checked, "positions_checked": run.positions_checked,
        "differences_found": run.differences_found, "resolved_automatically": run.resolved_automatically,
        "error": run.error,
    }  # fmt: skip


def _issue_data(issue: ReconciliationIssue) -> dict[str, Any]:
    return {
        "id": issue.pk, "kind": issue.kind, "symbol": issue.symbol, "position_side": issue.position_side,
        "client_order_id": issue.client_order_id, "order_id": issue.order_id, "ours": issue.ours,
        "theirs": issue.theirs, "status": issue.status, "resolution": issue.resolution,
        "resolved_by": issue.resolved_by, "reason": issue.reason, "actions": list(issue_actions(issue)),
        "created_at": issue.created_at.isoformat(),
    }  # fmt: skip


@extend_schema(
    summary="The last reconciliation run and the open differences",
    responses={200: ReconciliationStatusSerializer},
)
@api_view(["GET"])
def reconciliation_status(request: Request) -> Response:
    _require_staff(request)
    latest = ReconciliationRun.objects.order_by("-id").first()
    issues = ReconciliationIssue.objects.filter(status=IssueStatus.OPEN).order_by("id")
    return Response({
        "mode": settings.TRADING_MODE,
        "last_run": _run_data(latest),
        "open_differences": [_issue_data(issue) for issue in issues],
        "trading_blocked": bool(issues) or (latest is not None and latest.status == ReconciliationRun.Status.FAILED),
    })  # fmt: skip


@extend_schema(summary="Run a reconciliation now", request=None,
               responses={200: ReconciliationRunSerializer, **error_responses({422: NOT_IN_MODE})})
@api_view(["POST"])
def reconciliation_run_now(request: Request) -> Response:
    require_operator_permission(request, RESOLVE_RECONCILIATION, what="run a reconciliation")
    run = reconciliation_run(exchange=_binance_exchange("positions"), trigger=ReconciliationRun.Trigger.MANUAL)
    return Response(_run_data(run))


@extend_schema(
    summary="Settle one difference: adopt, close, cancel_orphan or ignore",
    request=ReconciliationResolveInput,
    responses={200: ReconciliationDifferenceSerializer, **error_responses({
        400: "validation_error: an action that does not apply to this difference, or ignore without a reason",
        404: "not_found: no difference with that id",
        409: "issue_settled, order_moved_on, cannot_follow_exchange, nothing_to_close, close_refused, or "
             "exchange_unavailable (the exchange did not answer; retry)",
        422: NOT_IN_MODE,
    })},
)
@api_view(["POST"])
def reconciliation_issue_resolve_view(request: Request, issue_id: int) -> Response:
    require_operator_permission(request, RESOLVE_RECONCILIATION, what="resolve a reconciliation difference")
    data = ReconciliationResolveInput(data=request.data)
    data.is_valid(raise_exception=True)
    if not ReconciliationIssue.objects.filter(pk=issue_id).exists():
        raise NotFound(f"No difference #{issue_id}.")
    issue = reconciliation_issue_resolve(
        issue_id=issue_id, action=data.validated_data["action"], reason=data.validated_data["reason"],
        actor=f"user:{request.user.get_username()}", exchange=_binance_exchange("positions"),
    )  # fmt: skip
    return Response(_issue_data(issue))
