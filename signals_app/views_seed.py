"""HTTP interface for strategies written against the seed engines:
``POST /trade`` (seeds 000 and 002) and ``POST /trade/signal`` (seed 001).

Same key, same intake, same errors as ``POST /api/v1/signals``; only the body
shape differs, and ``signals_app.services.seed_payloads`` rewrites it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from petrosa.core.errors import Forbidden
from signals_app.auth import strategy_of
from signals_app.serializers import SignalInputSerializer, SignalOutputSerializer
from signals_app.services.intake import IntakeResult
from signals_app.services.seed_intake import seed_signal_intake
from signals_app.services.seed_payloads import (
    SeedTranslation,
    trade_payload_translate,
    trade_signal_payload_translate,
)

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, description="Retries with the same key return the first response."
)
SEED_ERRORS = {
    400: OpenApiResponse(description="validation_error (fields named as sent, e.g. meta.stop_loss) or malformed_json"),
    401: OpenApiResponse(description="not_authenticated or authentication_failed (wrong key, inactive strategy)"),
    403: OpenApiResponse(description="strategy_mismatch or strategy_key_required"),
    422: OpenApiResponse(
        description="idempotency_key_reused, or simulation_unavailable (meta.simulate true on testnet/live)"
    ),
}


class TradeMetaSerializer(serializers.Serializer):
    simulate = serializers.BooleanField(required=False, help_text="Paper is the default; see simulated in the answer.")
    indicators = serializers.DictField(required=False, help_text="Copied to the signal's indicators.")
    rationale = serializers.CharField(required=False, help_text="Copied to the signal's rationale.")


class TradeSignalMetaSerializer(serializers.Serializer):
    order_type = serializers.CharField(required=False, help_text="Copied to order_type (market, limit, stop-limit...).")
    stop_loss = serializers.DecimalField(max_digits=30, decimal_places=12, required=False)
    take_profit = serializers.DecimalField(max_digits=30, decimal_places=12, required=False)
    time_in_force = serializers.CharField(required=False, help_text="GTC, IOC, FOK or GTX.")
    simulate = serializers.BooleanField(required=False)


class TradePayloadSerializer(SignalInputSerializer):
    """The wire shape of POST /trade, for the OpenAPI schema. Requests are
    validated by translation and then SignalInputSerializer, not by this."""

    target_price = serializers.DecimalField(
        max_digits=30, decimal_places=12, required=False, help_text="Seed 000: the limit price of a limit order."
    )
    meta = TradeMetaSerializer(required=False, help_text="Stored as sent, plus meta.intake.")


class TradeSignalPayloadSerializer(SignalInputSerializer):
    """The wire shape of POST /trade/signal (seed 001), for the OpenAPI schema."""

    meta = TradeSignalMetaSerializer(required=False, help_text="Stored as sent, plus meta.intake.")


class SeedSignalAcceptedSerializer(serializers.Serializer):
    status = serializers.CharField(help_text='Always "accepted": the signal is saved and on its way.')
    message = serializers.CharField()
    signal_id = serializers.IntegerField(help_text="The id for GET /api/v1/signals/{id}.")
    replayed = serializers.BooleanField(help_text="True when an earlier request with the same key made the signal.")
    trading_mode = serializers.CharField(help_text="paper, testnet or live (PETROSA_TRADING_MODE).")
    simulated = serializers.BooleanField(help_text="True: no real order will be placed.")
    notice = serializers.CharField(allow_blank=True, help_text="Why the request was not taken literally, if so.")
    signal = SignalOutputSerializer()


SEED_002_EXAMPLE = {
    "strategy_id": "momentum_v1", "symbol": "BTCUSDT", "action": "buy", "price": 45000.0, "confidence": 0.85,
    "timestamp": "2025-06-29T12:00:00Z",
    "meta": {"simulate": True, "indicators": {"rsi": 65, "macd": "bullish"}, "rationale": "Strong momentum breakout"},
}  # fmt: skip
SEED_001_EXAMPLE = {
    "strategy_id": "momentum_v1", "symbol": "BTCUSDT", "action": "buy", "price": 45000.0, "quantity": 0.0,
    "confidence": 0.85, "timestamp": "2025-06-29T12:00:00Z",
    "meta": {"order_type": "market", "stop_loss": 43000.0, "take_profit": 47000.0, "time_in_force": "GTC"},
}  # fmt: skip


@extend_schema(
    request=TradePayloadSerializer,
    responses={202: SeedSignalAcceptedSerializer, **SEED_ERRORS},
    parameters=[IDEMPOTENCY_HEADER],
    examples=[OpenApiExample("Seed 002 signal", value=SEED_002_EXAMPLE, request_only=True)],
    summary="Send a signal in the seed /trade shape",
    description=(
        "Seed 002 shape: `price` is the reference price of a market order (stored as `current_price`) or the limit "
        "of a limit order; `meta.indicators` and `meta.rationale` become `indicators` and `rationale`. The seed 000 "
        "advanced shape (the native one) is accepted too; a limit order with only `current_price` is limited there."
    ),
)
@api_view(["POST"])
def trade(request: Request) -> Response:
    return _seed_intake_response(request, trade_payload_translate)


@extend_schema(
    request=TradeSignalPayloadSerializer,
    responses={202: SeedSignalAcceptedSerializer, **SEED_ERRORS},
    parameters=[IDEMPOTENCY_HEADER],
    examples=[OpenApiExample("Seed 001 signal", value=SEED_001_EXAMPLE, request_only=True)],
    summary="Send a signal in the seed /trade/signal shape",
    description=(
        "Seed 001 shape: `quantity: 0` means the exchange minimum; `meta.order_type`, `meta.stop_loss`, "
        "`meta.take_profit` and `meta.time_in_force` become the signal's own fields."
    ),
)
@api_view(["POST"])
def trade_signal(request: Request) -> Response:
    return _seed_intake_response(request, trade_signal_payload_translate)


def _seed_intake_response(request: Request, translate: Callable[..., SeedTranslation]) -> Response:
    strategy = strategy_of(request)
    if strategy is None:
        raise Forbidden("Only a strategy API key can send signals.", code="strategy_key_required")
    translation = translate(request.data, trading_mode=settings.TRADING_MODE)
    result = seed_signal_intake(
        strategy=strategy, translation=translation, idempotency_key=request.headers.get("Idempotency-Key") or None
    )
    headers = {} if result.created else {"Idempotent-Replayed": "true"}
    body = SeedSignalAcceptedSerializer(_accepted(result, translation)).data
    return Response(body, status=status.HTTP_202_ACCEPTED, headers=headers)


def _accepted(result: IntakeResult, translation: SeedTranslation) -> dict[str, Any]:
    return {
        "status": "accepted",
        "message": "Signal accepted for processing",
        "signal_id": result.signal.pk,
        "replayed": not result.created,
        "trading_mode": settings.TRADING_MODE,
        "simulated": translation.simulated,
        "notice": translation.notice,
        "signal": result.signal,
    }
