"""Intake for seed-shaped signals: validate the translated payload, then the
same ``signal_intake`` that ``POST /api/v1/signals`` uses."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ValidationError

from signals_app.models import Strategy
from signals_app.serializers import SignalInputSerializer
from signals_app.services.intake import IntakeResult, signal_intake
from signals_app.services.seed_payloads import SeedTranslation


def seed_payload_validate(translation: SeedTranslation) -> dict[str, Any]:
    """The native validated data, or a ValidationError whose fields are named
    as the client sent them (``price``, ``meta.stop_loss``), not as stored."""
    serializer = SignalInputSerializer(data=translation.data)
    if serializer.is_valid():
        return dict(serializer.validated_data)
    renamed: dict[str, Any] = {}
    for name, messages in serializer.errors.items():
        client_name = translation.field_origins.get(name, name)
        renamed.setdefault(client_name, []).extend(messages if isinstance(messages, list) else [messages])
    raise ValidationError(renamed)


def seed_signal_intake(
    *, strategy: Strategy, translation: SeedTranslation, idempotency_key: str | None = None
) -> IntakeResult:
    """Save a translated seed signal; nothing is saved when it is invalid."""
    data = seed_payload_validate(translation)
    return signal_intake(strategy=strategy, data=data, idempotency_key=idempotency_key)
