"""HTTP interface for the kill switch and the daily-loss breaker.

Operators authenticate with a session (admin login) or their user token
(``Authorization: Token ptu_...``); a strategy key is never enough. Reads need
staff or ``risk_app.view_riskstate``; the kill switch needs
``risk_app.change_riskstate``; re-arming the breaker needs
``risk_app.rearm_breaker``. Every change needs a reason and is audited.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from configs_app.services import config_resolve
from petrosa.core.errors import Forbidden
from petrosa.core.user_tokens import UserTokenAuthentication
from risk_app.api.serializers import KillSwitchInputSerializer, ReasonInputSerializer, RiskStatusSerializer
from risk_app.models import TradingMode
from risk_app.selectors import risk_status_read
from risk_app.services.kill_switch import risk_breaker_rearm, risk_set_mode

VIEW_PERMISSION = "risk_app.view_riskstate"
CHANGE_PERMISSION = "risk_app.change_riskstate"
REARM_PERMISSION = "risk_app.rearm_breaker"
AUTHENTICATION = [UserTokenAuthentication, SessionAuthentication]
ERRORS = {
    400: OpenApiResponse(description="validation_error: reason missing or blank, mode not one of the three"),
    401: OpenApiResponse(description="not_authenticated, authentication_failed"),
    403: OpenApiResponse(description="permission_denied: the user lacks the permission"),
}


class _Needs(BasePermission):
    permission = ""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.user.has_perm(self.permission):
            return True
        raise Forbidden(f"This needs the {self.permission} permission.")


class MayViewRisk(_Needs):
    permission = VIEW_PERMISSION

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(getattr(request.user, "is_staff", False)) or super().has_permission(request, view)


class MayChangeKillSwitch(_Needs):
    permission = CHANGE_PERMISSION


class MayRearmBreaker(_Needs):
    permission = REARM_PERMISSION


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _status_response() -> Response:
    status = risk_status_read(config=config_resolve(), now=timezone.now())
    status["limits"] = _plain(status["limits"])
    return Response(RiskStatusSerializer(status).data)


def _actor(request: Request) -> str:
    return f"user:{request.user.get_username()}"


def _validated(serializer_class: type, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


@extend_schema(
    responses={200: RiskStatusSerializer, **ERRORS},
    summary="Risk status: trading mode, kill switch, breaker, today's P&L, exposure and the limits in force",
)
@api_view(["GET"])
@authentication_classes(AUTHENTICATION)
@permission_classes([IsAuthenticated, MayViewRisk])
def risk_status(request: Request) -> Response:
    return _status_response()


@extend_schema(
    request=KillSwitchInputSerializer,
    responses={200: RiskStatusSerializer, **ERRORS},
    summary="Set the kill switch: active, reduce_only or halted (audited, reason required)",
    description="Exits (closes, reduce-only orders) always go through; reduce_only and halted refuse new entries.",
)
@api_view(["POST"])
@authentication_classes(AUTHENTICATION)
@permission_classes([IsAuthenticated, MayChangeKillSwitch])
def kill_switch(request: Request) -> Response:
    data = _validated(KillSwitchInputSerializer, request)
    risk_set_mode(mode=data["mode"], actor=_actor(request), reason=data["reason"])
    return _status_response()


@extend_schema(
    request=ReasonInputSerializer,
    responses={200: RiskStatusSerializer, 409: OpenApiResponse(description="breaker_not_tripped"), **ERRORS},
    summary="Re-arm the daily-loss breaker (audited, reason required)",
    description="Entries are allowed again (if the kill switch is active). For the rest of the UTC day the loss "
    "is measured from the equity at the re-arm.",
)
@api_view(["POST"])
@authentication_classes(AUTHENTICATION)
@permission_classes([IsAuthenticated, MayRearmBreaker])
def breaker_rearm(request: Request) -> Response:
    data = _validated(ReasonInputSerializer, request)
    risk_breaker_rearm(actor=_actor(request), reason=data["reason"])
    return _status_response()


@extend_schema(
    request=ReasonInputSerializer,
    responses={200: RiskStatusSerializer, **ERRORS},
    summary="Seed 003: activate the risk engine, i.e. set the kill switch to active",
)
@api_view(["POST"])
@authentication_classes(AUTHENTICATION)
@permission_classes([IsAuthenticated, MayChangeKillSwitch])
def risk_activate(request: Request) -> Response:
    data = _validated(ReasonInputSerializer, request)
    risk_set_mode(mode=TradingMode.ACTIVE, actor=_actor(request), reason=data["reason"])
    return _status_response()


@extend_schema(
    request=ReasonInputSerializer,
    responses={200: RiskStatusSerializer, **ERRORS},
    summary="Seed 003: deactivate, i.e. reduce-only: exits still run, new entries are refused",
    description="The risk gate can never be switched off; 'deactivate' stops new risk instead.",
)
@api_view(["POST"])
@authentication_classes(AUTHENTICATION)
@permission_classes([IsAuthenticated, MayChangeKillSwitch])
def risk_deactivate(request: Request) -> Response:
    data = _validated(ReasonInputSerializer, request)
    risk_set_mode(mode=TradingMode.REDUCE_ONLY, actor=_actor(request), reason=data["reason"])
    return _status_response()
