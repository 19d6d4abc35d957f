"""HTTP interface for AI trade ideas (seed 003): ask, list, decide.

Operators only (session or ``Authorization: Token``); a strategy key gets
401. Asking needs ``signals_app.request_analysis``, deciding needs
``signals_app.review_tradeidea``, listing ``signals_app.view_tradeidea``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from petrosa.core.api import query_int
from petrosa.core.errors import Forbidden
from petrosa.core.user_tokens import UserTokenAuthentication
from signals_app.ideas.serializers import (
    AnalysisOutputSerializer,
    AnalyzeInputSerializer,
    IdeaActionInputSerializer,
    TradeIdeaOutputSerializer,
)
from signals_app.ideas.services import trade_idea_approve, trade_idea_reject, trade_ideas_analyze
from signals_app.models_ideas import IdeaStatus, TradeIdea

REQUEST_ANALYSIS = "signals_app.request_analysis"
REVIEW_IDEAS = "signals_app.review_tradeidea"
VIEW_IDEAS = "signals_app.view_tradeidea"
OPERATOR_AUTH = [UserTokenAuthentication, SessionAuthentication]


def operator_with(permission: str) -> type[BasePermission]:
    class OperatorWith(BasePermission):
        def has_permission(self, request: Request, view: Any) -> bool:
            if not getattr(request.user, "is_staff", False):
                raise Forbidden("Only operators (staff) may use the AI endpoints.", code="operator_required")
            if not request.user.has_perm(permission):
                raise Forbidden(f"This needs the {permission} permission.")
            return True

    return OperatorWith


def actor_of(request: Request) -> str:
    return f"user:{request.user.get_username()}"


ERRORS = {
    400: OpenApiResponse(description="validation_error"),
    401: OpenApiResponse(description="not_authenticated / authentication_failed"),
    403: OpenApiResponse(description="operator_required or permission_denied"),
}


@extend_schema(
    request=AnalyzeInputSerializer,
    responses={
        201: AnalysisOutputSerializer,
        **ERRORS,
        422: OpenApiResponse(description="advisor_not_configured"),
        503: OpenApiResponse(description="advisor_unavailable"),
    },
    summary="Ask the AI advisor for trade ideas (advisory only: each waits for a reviewer)",
)
@api_view(["POST"])
@authentication_classes(OPERATOR_AUTH)
@permission_classes([IsAuthenticated, operator_with(REQUEST_ANALYSIS)])
def ai_analyze(request: Request) -> Response:
    serializer = AnalyzeInputSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    analysis = trade_ideas_analyze(requested_by=actor_of(request), **serializer.validated_data)
    return Response(AnalysisOutputSerializer(analysis).data, status=status.HTTP_201_CREATED)


@extend_schema(
    responses={200: TradeIdeaOutputSerializer(many=True), **ERRORS},
    parameters=[
        OpenApiParameter("status", str, enum=IdeaStatus.values),
        OpenApiParameter("symbol", str),
        OpenApiParameter("limit", int, description="At most 500; default 100."),
    ],
    summary="List AI trade ideas, newest first",
)
@api_view(["GET"])
@authentication_classes(OPERATOR_AUTH)
@permission_classes([IsAuthenticated, operator_with(VIEW_IDEAS)])
def ai_ideas(request: Request) -> Response:
    queryset = TradeIdea.objects.order_by("-id")
    for name in ("status", "symbol"):
        if request.query_params.get(name):
            queryset = queryset.filter(**{name: request.query_params[name].strip()})
    limit = query_int(request.query_params, "limit", default=100)
    return Response(TradeIdeaOutputSerializer(queryset[:limit], many=True).data)


@extend_schema(
    request=IdeaActionInputSerializer,
    responses={
        200: TradeIdeaOutputSerializer,
        **ERRORS,
        404: OpenApiResponse(description="not_found"),
        409: OpenApiResponse(description="idea_not_pending, idea_expired"),
    },
    summary="Approve (becomes an ai_advisor signal, risk-gated) or reject (reason required) a trade idea",
)
@api_view(["POST"])
@authentication_classes(OPERATOR_AUTH)
@permission_classes([IsAuthenticated, operator_with(REVIEW_IDEAS)])
def ai_idea_action(request: Request, idea_id: int) -> Response:
    serializer = IdeaActionInputSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    if data["action"] == "approve":
        idea = trade_idea_approve(idea_id=idea_id, reviewer=actor_of(request), reason=data["reason"])
    else:
        idea = trade_idea_reject(idea_id=idea_id, reviewer=actor_of(request), reason=data["reason"])
    return Response(TradeIdeaOutputSerializer(idea).data)
