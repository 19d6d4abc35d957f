"""NATS intake against the real nats-server (JetStream) and PostgreSQL.

Each test gets its own stream, subjects, durable consumer, dead-letter subject
and events prefix, and deletes its streams afterwards, so runs never see each
other's messages. The consumer runs in process (``once``: it stops at the first
empty fetch) while a core subscription watches the events and dead letters.
Its database work happens in a worker thread, hence ``transactional_db``.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import nats
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js.api import ConsumerInfo
from nats.js.errors import NotFoundError

from petrosa.core.models import AuditEvent
from signals_app.models import Signal, Source, Strategy
from signals_app.nats_intake.consumer import (
    DEFAULT_URL,
    ConsumerOptions,
    ConsumeStats,
    consume_signals,
    subject_covers,
)
from tests.factories import StrategyWithKey

BODY = json.dumps({"symbol": "BTCUSDT", "action": "buy", "confidence": 0.8}).encode()
QUIET_SECONDS = 0.3  # no further message for this long: the subscription has seen everything

Outgoing = tuple[str, bytes, dict[str, str]]  # subject, body, headers


def unique_options() -> ConsumerOptions:
    token = uuid.uuid4().hex[:12]
    root = f"test_{token}"
    return ConsumerOptions(
        url=settings.NATS_URL or DEFAULT_URL,
        stream=f"SIGNALS_{token}",
        subjects=(f"{root}.signals.trading", f"{root}.signals.trading.>"),
        durable=f"intake_{token}",
        dead_letter_subject=f"{root}.signals.dead_letter",
        events_prefix=f"{root}.execution.events",
        once=True,
        fetch_timeout=1.0,
    )


def capture_stream(options: ConsumerOptions) -> str:
    return f"{options.stream}_CAPTURE"


async def streams_delete(options: ConsumerOptions) -> None:
    async with await nats.connect(options.url) as nc:
        js = nc.jetstream()
        for name in (options.stream, capture_stream(options)):
            try:
                await js.delete_stream(name)
            except NotFoundError:
                pass


async def consumer_info(options: ConsumerOptions) -> ConsumerInfo:
    async with await nats.connect(options.url) as nc:
        return await nc.jetstream().consumer_info(options.stream, options.durable)


@pytest.fixture
def options(transactional_db: Any) -> Iterator[ConsumerOptions]:
    chosen = unique_options()
    yield chosen
    asyncio.run(streams_delete(chosen))


@dataclass
class IntakeRun:
    stats: ConsumeStats
    events: list[Msg]
    dead_letters: list[Msg]
    consumer: ConsumerInfo

    def event_bodies(self) -> list[dict[str, Any]]:
        return [json.loads(event.data) for event in self.events]


async def received(subscription: Subscription) -> list[Msg]:
    messages = []
    while True:
        try:
            messages.append(await subscription.next_msg(timeout=QUIET_SECONDS))
        except TimeoutError:
            return messages


async def intake_run(
    options: ConsumerOptions, outgoing: list[Outgoing], *, duplicate_window: float = 120.0, gap: float = 0.0
) -> IntakeRun:
    """Create the stream, publish, run the consumer once, and collect what it published."""
    async with await nats.connect(options.url) as nc:
        events = await nc.subscribe(f"{options.events_prefix}.>")
        dead_letters = await nc.subscribe(options.dead_letter_subject)
        js = nc.jetstream()
        await js.add_stream(name=options.stream, subjects=list(options.subjects), duplicate_window=duplicate_window)
        for subject, body, headers in outgoing:
            ack = await js.publish(subject, body, headers=headers or None)
            assert not ack.duplicate, "JetStream dropped a copy; the intake's own idempotency would go untested"
            await asyncio.sleep(gap)
        stats = await consume_signals(options)
        return IntakeRun(
            stats=stats,
            events=await received(events),
            dead_letters=await received(dead_letters),
            consumer=await js.consumer_info(options.stream, options.durable),
        )


def test_a_keyed_message_becomes_one_nats_signal_and_an_event(
    options: ConsumerOptions, strategy: StrategyWithKey
) -> None:
    subject = options.subjects[0]
    run = asyncio.run(
        intake_run(
            options,
            [
                (subject, BODY, {"X-API-Key": strategy.key}),
                (f"{subject}.eth", BODY.replace(b"BTCUSDT", b"ETHUSDT"), {"Authorization": f"Bearer {strategy.key}"}),
            ],
        )
    )

    assert run.stats == ConsumeStats(accepted=2)
    btc, eth = Signal.objects.order_by("id")
    assert (btc.symbol, eth.symbol) == ("BTCUSDT", "ETHUSDT")
    assert {btc.source, eth.source} == {Source.NATS}
    assert {btc.strategy_id, eth.strategy_id} == {strategy.strategy.pk}
    assert btc.confidence == Decimal("0.8")
    assert btc.idempotency_key.startswith(f"nats:{options.stream}:1:")
    assert eth.idempotency_key.startswith(f"nats:{options.stream}:2:")
    assert {event.subject for event in run.events} == {f"{options.events_prefix}.{strategy.name}"}
    first, second = run.event_bodies()
    assert first["event_type"] == second["event_type"] == "received"
    assert (first["signal_id"], second["signal_id"]) == (btc.pk, eth.pk)
    assert first["strategy_id"] == strategy.name
    assert first["status"] == "received"
    assert first["idempotency_key"] == btc.idempotency_key
    assert run.dead_letters == []
    assert run.consumer.num_ack_pending == 0
    assert run.consumer.num_pending == 0


def test_a_subject_mapped_to_a_strategy_needs_no_key(options: ConsumerOptions, strategy: StrategyWithKey) -> None:
    mapped = f"{options.subjects[0]}.momentum"
    unmapped = f"{options.subjects[0]}.nobody"
    with override_settings(NATS_SUBJECT_STRATEGIES={mapped: strategy.name}):
        run = asyncio.run(intake_run(options, [(mapped, BODY, {}), (unmapped, BODY, {})]))

    assert run.stats == ConsumeStats(accepted=1, rejected=1)
    signal = Signal.objects.get()
    assert signal.strategy_id == strategy.strategy.pk
    [dead] = run.dead_letters
    assert dead.headers["Petrosa-Error-Code"] == "not_authenticated"
    assert dead.headers["Petrosa-Original-Subject"] == unmapped
    assert [body["signal_id"] for body in run.event_bodies()] == [signal.pk]


def test_bad_messages_are_dead_lettered_and_audited_and_the_next_one_goes_through(
    options: ConsumerOptions, strategy: StrategyWithKey, other_strategy: StrategyWithKey
) -> None:
    Strategy.objects.filter(pk=other_strategy.strategy.pk).update(is_active=False)
    subject, key = options.subjects[0], {"X-API-Key": strategy.key}
    malformed = b'{"symbol": "BTCUSDT", "note": "my key is ' + strategy.key.encode() + b'", '
    bad_field = json.dumps({"symbol": "BTCUSDT", "action": "buy", "confidence": 1.5}).encode()
    run = asyncio.run(
        intake_run(
            options,
            [
                (subject, malformed, key),
                (subject, bad_field, key),
                (subject, BODY, {"X-API-Key": strategy.key + "x"}),
                (subject, BODY, {"X-API-Key": other_strategy.key}),
                (subject, BODY, key),
            ],
        )
    )

    codes = ["malformed_json", "validation_error", "authentication_failed", "authentication_failed"]
    assert run.stats == ConsumeStats(accepted=1, rejected=4)
    assert Signal.objects.get().idempotency_key.startswith(f"nats:{options.stream}:5:")
    assert [dead.headers["Petrosa-Error-Code"] for dead in run.dead_letters] == codes
    assert [dead.data for dead in run.dead_letters[:2]] == [malformed, bad_field]
    assert all("X-API-Key" not in dead.headers for dead in run.dead_letters)
    assert "confidence" in json.loads(run.dead_letters[1].headers["Petrosa-Error-Fields"])

    audits = list(AuditEvent.objects.filter(kind="signal.dead_lettered").order_by("id"))
    assert [audit.data["code"] for audit in audits] == codes
    assert [audit.entity_id for audit in audits] == [f"{options.stream}:{seq}" for seq in (1, 2, 3, 4)]
    assert {audit.entity_type for audit in audits} == {"nats_message"}
    recorded = json.dumps([audit.data for audit in audits])
    assert strategy.key not in recorded and other_strategy.key not in recorded
    assert "[redacted]" in audits[0].data["body"]

    # Only a proven sender hears about its messages; the wrong and the inactive key get no event.
    assert {event.subject for event in run.events} == {f"{options.events_prefix}.{strategy.name}"}
    rejected, invalid, accepted = run.event_bodies()
    assert (rejected["event_type"], rejected["reason"]) == ("rejected", "malformed_json")
    assert (invalid["event_type"], invalid["signal_id"], invalid["status"]) == ("rejected", None, None)
    assert "confidence" in invalid["fields"]
    assert accepted["event_type"] == "received"
    assert run.consumer.num_ack_pending == 0
    assert run.consumer.num_pending == 0


def test_the_same_nats_msg_id_twice_makes_one_signal(options: ConsumerOptions, strategy: StrategyWithKey) -> None:
    subject = options.subjects[0]
    headers = {"X-API-Key": strategy.key, "Nats-Msg-Id": "idea-7"}
    changed = BODY.replace(b"0.8", b"0.9")
    # A duplicate window shorter than the gap makes JetStream keep every copy, so
    # it is the intake's idempotency, not JetStream's, that must catch them.
    run = asyncio.run(
        intake_run(
            options,
            [(subject, BODY, headers), (subject, BODY, headers), (subject, changed, headers)],
            duplicate_window=0.1,
            gap=0.3,
        )
    )

    assert run.stats == ConsumeStats(accepted=1, duplicate=1, rejected=1)
    signal = Signal.objects.get()
    assert (signal.idempotency_key, signal.confidence) == ("idea-7", Decimal("0.8"))
    bodies = run.event_bodies()
    assert [body["event_type"] for body in bodies] == ["received", "duplicate", "rejected"]
    assert [body["signal_id"] for body in bodies] == [signal.pk, signal.pk, None]
    assert bodies[2]["reason"] == "idempotency_key_reused"
    [dead] = run.dead_letters
    assert dead.headers["Petrosa-Original-Msg-Id"] == "idea-7"
    assert dead.headers["Nats-Msg-Id"] != "idea-7"


def test_wiring_that_would_consume_its_own_output_is_refused(options: ConsumerOptions) -> None:
    with pytest.raises(ImproperlyConfigured, match="dead-letter"):
        asyncio.run(consume_signals(replace(options, dead_letter_subject=f"{options.subjects[0]}.dead")))
    with pytest.raises(ImproperlyConfigured, match="events"):
        asyncio.run(consume_signals(replace(options, events_prefix=f"{options.subjects[0]}.events")))


def test_an_existing_stream_holding_other_subjects_is_refused(options: ConsumerOptions) -> None:
    async def scenario() -> None:
        async with await nats.connect(options.url) as nc:
            other = options.subjects[0].replace(".trading", ".other")
            await nc.jetstream().add_stream(name=options.stream, subjects=[*options.subjects, other])
        await consume_signals(options)

    with pytest.raises(ImproperlyConfigured, match="also holds"):
        asyncio.run(scenario())


@pytest.mark.parametrize(
    ("pattern", "subject", "covered"),
    [
        ("signals.trading.>", "signals.trading.btc", True),
        ("signals.trading.>", "signals.trading.*.x", True),
        ("signals.trading.>", "signals.trading", False),
        ("signals.trading.*", "signals.trading.>", False),
        ("signals.trading", "signals.trading", True),
        ("signals.trading", "signals.dead_letter", False),
        ("signals.*", "signals.dead_letter", True),
    ],
)
def test_subject_covers(pattern: str, subject: str, covered: bool) -> None:
    assert subject_covers(pattern, subject) is covered
