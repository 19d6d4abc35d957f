"""`manage.py consume_signals` as a real process: killed between commit and ack, or
cut off from its database, it loses nothing and doubles nothing.

The killed consumer runs with the test hook PETROSA_NATS_TEST_PAUSE_BEFORE_ACK_SECONDS,
which holds each ack after the signal is committed, and with a 2 s ack_wait, so
JetStream redelivers soon after the SIGKILL. Events and dead letters are captured
by a stream of their own, since no test subscriber runs alongside the processes.
"""

from __future__ import annotations

import asyncio
import json
import re
import signal as signals
import sys
from collections.abc import Iterator
from typing import Any

import nats
import pytest

from signals_app.management.commands.consume_signals import PAUSE_BEFORE_ACK_ENV
from signals_app.models import Signal, Source
from signals_app.nats_intake.consumer import ConsumerOptions
from tests.e2e.processes import Process, free_port, wait_for
from tests.factories import StrategyWithKey
from tests.signals_app.test_nats_intake import BODY, capture_stream, consumer_info, streams_delete, unique_options

ACK_WAIT = "2"


@pytest.fixture
def options(transactional_db: Any) -> Iterator[ConsumerOptions]:
    chosen = unique_options()
    asyncio.run(capture_start(chosen))
    yield chosen
    asyncio.run(streams_delete(chosen))


@pytest.fixture
def consumer_env(subprocess_env: dict[str, str], options: ConsumerOptions) -> dict[str, str]:
    env = dict(subprocess_env)
    env.update(
        NATS_URL=options.url,
        PETROSA_NATS_STREAM=options.stream,
        PETROSA_NATS_SIGNAL_SUBJECTS=",".join(options.subjects),
        PETROSA_NATS_DURABLE=options.durable,
        PETROSA_NATS_DEAD_LETTER_SUBJECT=options.dead_letter_subject,
        PETROSA_NATS_EVENTS_PREFIX=options.events_prefix,
        DB_CONN_MAX_AGE="0",
    )
    env.pop(PAUSE_BEFORE_ACK_ENV, None)
    return env


async def capture_start(options: ConsumerOptions) -> None:
    async with await nats.connect(options.url) as nc:
        subjects = [f"{options.events_prefix}.>", options.dead_letter_subject]
        await nc.jetstream().add_stream(name=capture_stream(options), subjects=subjects)


async def captured(options: ConsumerOptions, subject_prefix: str) -> list[dict[str, Any]]:
    async with await nats.connect(options.url) as nc:
        js = nc.jetstream()
        state = (await js.stream_info(capture_stream(options))).state
        messages = [await js.get_msg(capture_stream(options), seq) for seq in range(1, state.last_seq + 1)]
    return [json.loads(m.data or b"{}") for m in messages if (m.subject or "").startswith(subject_prefix)]


async def publish(options: ConsumerOptions, body: bytes, headers: dict[str, str]) -> None:
    async with await nats.connect(options.url) as nc:
        await nc.jetstream().publish(options.subjects[0], body, headers=headers)


def start_consumer(name: str, env: dict[str, str]) -> Process:
    consumer = Process(name, [sys.executable, "manage.py", "consume_signals", "--ack-wait", ACK_WAIT], env)
    consumer.wait_for_output("nats_intake consuming", timeout=60)
    return consumer


def acked(options: ConsumerOptions) -> bool:
    info = asyncio.run(consumer_info(options))
    return info.num_ack_pending == 0 and info.num_pending == 0 and (info.ack_floor.stream_seq or 0) >= 1


def stop(consumer: Process) -> str:
    consumer.kill(signals.SIGTERM)
    output = consumer.output()
    assert consumer.proc.returncode == 0, output[-4000:]
    assert "stopping on SIGTERM" in output
    return output


def test_a_consumer_killed_between_commit_and_ack_loses_nothing_and_doubles_nothing(
    options: ConsumerOptions, consumer_env: dict[str, str], strategy: StrategyWithKey
) -> None:
    first = start_consumer("nats-first", {**consumer_env, PAUSE_BEFORE_ACK_ENV: "60"})
    try:
        # No Nats-Msg-Id and no signal_id: the stream position alone must make the redelivery a replay.
        asyncio.run(publish(options, BODY, {"X-API-Key": strategy.key}))
        first.wait_for_output("holding ack", timeout=30)
        assert Signal.objects.count() == 1, "the signal must be committed before the ack"
    finally:
        first.kill(signals.SIGKILL)
    assert first.proc.returncode == -signals.SIGKILL
    assert asyncio.run(consumer_info(options)).num_ack_pending == 1, "the kill must come before the ack"

    second = start_consumer("nats-second", consumer_env)
    try:
        wait_for(lambda: acked(options), timeout=30, interval=0.3, what="the redelivered message to be acked")
        output = stop(second)
    finally:
        second.kill(signals.SIGKILL)

    assert "accepted=0 duplicate=1 rejected=0 retried=0" in output
    signal = Signal.objects.get()
    assert signal.source == Source.NATS
    assert signal.idempotency_key.startswith(f"nats:{options.stream}:1:")
    events = asyncio.run(captured(options, options.events_prefix))
    assert [event["event_type"] for event in events] == ["received", "duplicate"]
    assert {event["signal_id"] for event in events} == {signal.pk}
    assert asyncio.run(captured(options, options.dead_letter_subject)) == []


def test_a_database_outage_hands_the_message_back_instead_of_losing_it(
    options: ConsumerOptions, consumer_env: dict[str, str], strategy: StrategyWithKey
) -> None:
    unreachable = f"postgres://postgres@127.0.0.1:{free_port()}/nowhere"
    broken = start_consumer("nats-no-db", {**consumer_env, "DATABASE_URL": unreachable})
    try:
        asyncio.run(publish(options, BODY, {"X-API-Key": strategy.key}))
        broken.wait_for_output("nats_intake retry", timeout=30)
        stop(broken)
    finally:
        broken.kill(signals.SIGKILL)
    assert not Signal.objects.exists()
    # A database outage is not the sender's fault: nothing is dead-lettered.
    assert asyncio.run(captured(options, options.dead_letter_subject)) == []

    healthy = start_consumer("nats-healthy", consumer_env)
    try:
        wait_for(lambda: acked(options), timeout=30, interval=0.3, what="the handed-back message to be acked")
        output = stop(healthy)
    finally:
        healthy.kill(signals.SIGKILL)

    assert "accepted=1 duplicate=0 rejected=0 retried=0" in output
    delivery = re.search(r"outcome=accepted stream_seq=1 delivery=(\d+)", output)
    assert delivery is not None and int(delivery.group(1)) >= 2
    assert Signal.objects.get().source == Source.NATS
    assert [event["event_type"] for event in asyncio.run(captured(options, options.events_prefix))] == ["received"]
