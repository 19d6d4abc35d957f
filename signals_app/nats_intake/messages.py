"""One NATS message in, one outcome out: the synchronous half of the NATS intake.

Invariants:
- A message becomes a Signal only through ``signal_intake`` and always with an
  idempotency key, so a redelivered message can never make a second signal.
- A rejected message is audited here. The API key never reaches the audit
  trail, the dead-letter copy, an event or a log line.
- Database and unexpected errors are raised, never turned into a rejection:
  the caller must then leave the message unacked so JetStream delivers it again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.conf import settings

from petrosa.core.audit import audit_record
from petrosa.core.errors import DomainError
from signals_app.selectors import strategy_for_key
from signals_app.models import Source, Strategy
from signals_app.serializers import SignalInputSerializer
from signals_app.services.intake import signal_intake

MSG_ID_HEADER = "Nats-Msg-Id"
SECRET_HEADERS = frozenset({"x-api-key", "authorization"})
KEY_PATTERN = re.compile(r"ptk_[A-Za-z0-9]+_[A-Za-z0-9_\-]+")
IDEMPOTENCY_KEY_MAX_LENGTH = 255  # Signal.idempotency_key
AUDIT_BODY_MAX_CHARS = 2000
HEADER_VALUE_MAX_CHARS = 1024


class OutcomeKind(StrEnum):
    ACCEPTED = "accepted"  # a new signal was committed
    DUPLICATE = "duplicate"  # an earlier delivery with the same idempotency key made it
    REJECTED = "rejected"  # dead-lettered: the publisher must fix the message


EVENT_TYPES = {OutcomeKind.ACCEPTED: "received", OutcomeKind.DUPLICATE: "duplicate", OutcomeKind.REJECTED: "rejected"}


@dataclass(frozen=True)
class NatsMessage:
    subject: str
    headers: Mapping[str, str]
    data: bytes
    stream: str
    stream_sequence: int
    stored_at: datetime | None = None  # from the ack metadata: the same on every redelivery
    delivery: int = 1

    def header(self, name: str) -> str | None:
        # Publishers spell header names as they like; NATS keeps them as sent.
        wanted = name.lower()
        return next((value for key, value in self.headers.items() if key.lower() == wanted), None)

    @property
    def ref(self) -> str:
        return f"{self.stream}:{self.stream_sequence}"

    @property
    def default_idempotency_key(self) -> str:
        # The stored time tells apart two messages with the same sequence when a
        # stream is deleted and re-created; without it the second would be taken
        # for a replay of the first and silently dropped.
        stamp = f":{self.stored_at:%Y%m%dT%H%M%S.%fZ}" if self.stored_at else ""
        return f"nats:{self.ref}{stamp}"


@dataclass(frozen=True)
class NatsOutcome:
    kind: OutcomeKind
    strategy_name: str | None
    idempotency_key: str | None = None
    signal_id: int | None = None
    status: str | None = None  # the signal's status; None when no signal exists
    reason: str = ""  # the signal's status_reason, or the rejection code
    message: str = ""
    fields: dict[str, Any] = field(default_factory=dict)


def nats_message_intake(message: NatsMessage) -> NatsOutcome:
    """Turn one message into a committed signal, a replay of one, or an audited rejection."""
    strategy: Strategy | None = None
    key: str | None = None
    try:
        strategy = _strategy_resolve(message)
        data = _payload_validate(message.data)
        key = _idempotency_key(message, data)
        result = signal_intake(strategy=strategy, data=data, idempotency_key=key, source=Source.NATS)
    except DomainError as rejection:
        return _rejection_record(message, rejection, strategy=strategy, idempotency_key=key)
    return NatsOutcome(
        kind=OutcomeKind.ACCEPTED if result.created else OutcomeKind.DUPLICATE,
        strategy_name=strategy.name,
        idempotency_key=key,
        signal_id=result.signal.pk,
        status=result.signal.status,
        reason=result.signal.status_reason,
    )


def outcome_event(outcome: NatsOutcome, message: NatsMessage, *, at: datetime) -> dict[str, Any]:
    """The body published on ``<NATS_EVENTS_SUBJECT_PREFIX>.<strategy>``."""
    return {
        "event_type": EVENT_TYPES[outcome.kind],
        "strategy_id": outcome.strategy_name,
        "signal_id": outcome.signal_id,
        "idempotency_key": outcome.idempotency_key,
        "status": outcome.status,
        "reason": outcome.reason,
        "message": outcome.message,
        "fields": outcome.fields,
        "subject": message.subject,
        "stream_sequence": message.stream_sequence,
        "timestamp": at.isoformat(),
    }


def dead_letter_headers(message: NatsMessage, outcome: NatsOutcome) -> dict[str, str]:
    """The original headers minus secrets and NATS directives, plus what went wrong."""
    headers = {
        name: value
        for name, value in message.headers.items()
        if name.lower() not in SECRET_HEADERS and not name.lower().startswith("nats-")
    }
    headers.update(
        {
            # Lets a dead-letter stream drop the copy a redelivery would publish again.
            MSG_ID_HEADER: f"dead-letter:{message.default_idempotency_key}",
            "Petrosa-Error-Code": outcome.reason,
            "Petrosa-Error-Message": _header_value(outcome.message),
            "Petrosa-Original-Subject": message.subject,
            "Petrosa-Original-Stream": message.stream,
            "Petrosa-Original-Sequence": str(message.stream_sequence),
        }
    )
    fields = json.dumps(outcome.fields, separators=(",", ":"))
    if outcome.fields and len(fields) <= HEADER_VALUE_MAX_CHARS:
        headers["Petrosa-Error-Fields"] = fields
    original_id = message.header(MSG_ID_HEADER)
    if original_id:
        headers["Petrosa-Original-Msg-Id"] = _header_value(original_id)
    if outcome.strategy_name:
        headers["Petrosa-Strategy"] = outcome.strategy_name
    return headers


def _strategy_resolve(message: NatsMessage) -> Strategy:
    """The key header wins; the subject mapping is for publishers that cannot send headers."""
    presented = _presented_key(message)
    if presented is not None:
        return _strategy_for_key(presented)
    name = settings.NATS_SUBJECT_STRATEGIES.get(message.subject)
    if name is None:
        raise DomainError(
            "Send the strategy key as X-API-Key or Authorization: Bearer, "
            "or publish on a subject mapped to a strategy.",
            code="not_authenticated",
        )
    strategy = Strategy.objects.filter(name=name).first()
    if strategy is None:
        raise DomainError(f"Subject {message.subject!r} maps to unknown strategy {name!r}.", code="unknown_strategy")
    return _active(strategy)


def _presented_key(message: NatsMessage) -> str | None:
    api_key = message.header("X-API-Key")
    if api_key:
        return api_key.strip()
    scheme, _, credentials = (message.header("Authorization") or "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else None


def _strategy_for_key(presented: str) -> Strategy:
    strategy = strategy_for_key(presented)  # the same check as the HTTP authentication
    if strategy is None:
        raise DomainError("Invalid API key.", code="authentication_failed")
    return _active(strategy)


def _active(strategy: Strategy) -> Strategy:
    if not strategy.is_active:
        raise DomainError(
            f"Strategy {strategy.name} is inactive; an operator must activate it.", code="authentication_failed"
        )
    return strategy


def _payload_validate(raw: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(raw, parse_float=Decimal)  # exact decimals, as over HTTP
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError both are
        raise DomainError(f"The message body is not valid JSON: {exc}", code="malformed_json") from None
    serializer = SignalInputSerializer(data=payload)
    if not serializer.is_valid():
        fields = json.loads(json.dumps(serializer.errors))  # ErrorDetail objects to plain strings
        raise DomainError(_first_error(fields), code="validation_error", fields=fields)
    return dict(serializer.validated_data)


def _first_error(fields: dict[str, Any]) -> str:
    name, messages = next(iter(fields.items()))
    first = messages[0] if isinstance(messages, list) and messages and isinstance(messages[0], str) else "invalid"
    return f"{name}: {first}"


def _idempotency_key(message: NatsMessage, data: dict[str, Any]) -> str:
    msg_id = message.header(MSG_ID_HEADER)
    if msg_id:
        if len(msg_id) > IDEMPOTENCY_KEY_MAX_LENGTH:
            text = f"At most {IDEMPOTENCY_KEY_MAX_LENGTH} characters."
            raise DomainError(f"{MSG_ID_HEADER}: {text}", code="validation_error", fields={MSG_ID_HEADER: [text]})
        return msg_id
    return data.get("signal_id") or message.default_idempotency_key


def _rejection_record(
    message: NatsMessage, rejection: DomainError, *, strategy: Strategy | None, idempotency_key: str | None
) -> NatsOutcome:
    name = strategy.name if strategy else None
    audit_record(
        kind="signal.dead_lettered",
        entity_type="nats_message",
        entity_id=message.ref[:64],
        actor=f"strategy:{name}" if name else "nats",
        data={
            "subject": message.subject,
            "stream": message.stream,
            "stream_sequence": message.stream_sequence,
            "delivery": message.delivery,
            "nats_msg_id": message.header(MSG_ID_HEADER),
            "strategy": name,
            "code": rejection.code,
            "message": rejection.message,
            "fields": rejection.fields,
            "body": _redacted_body(message),
        },
    )
    return NatsOutcome(
        kind=OutcomeKind.REJECTED,
        strategy_name=name,
        idempotency_key=idempotency_key,
        reason=rejection.code,
        message=rejection.message,
        fields=rejection.fields,
    )


def _redacted_body(message: NatsMessage) -> str:
    """An excerpt of the body for the audit trail, with anything key-shaped blanked out."""
    text = message.data[:AUDIT_BODY_MAX_CHARS].decode("utf-8", errors="replace")
    presented = _presented_key(message)
    if presented:
        text = text.replace(presented, "[redacted]")
    return KEY_PATTERN.sub("[redacted]", text)


def _header_value(text: str) -> str:
    # A header value cannot hold a line break, and must not crowd out the payload.
    return " ".join(text.split())[:HEADER_VALUE_MAX_CHARS]
