"""The JetStream side of the NATS intake: a durable pull consumer that acks only after commit.

What each outcome does to the message:
- accepted / duplicate: ``signal_intake`` has committed the signal before the ack.
  A crash in between means a redelivery, which intake answers as a duplicate:
  nothing is lost and nothing doubles.
- rejected: audited, copied to the dead-letter subject, then terminated so it
  is never delivered again.
- anything else (database down, a bug): nak with a growing delay, so JetStream
  delivers it again once the cause is gone.

Every outcome with a known strategy is published on
``<events prefix>.<strategy name>`` before the message is settled.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

import nats
from channels.db import database_sync_to_async
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from signals_app.nats_intake.messages import (
    NatsMessage,
    NatsOutcome,
    OutcomeKind,
    dead_letter_headers,
    nats_message_intake,
    outcome_event,
)

logger = logging.getLogger(__name__)

DEFAULT_URL = "nats://127.0.0.1:4222"
MAX_REDELIVERY_DELAY_SECONDS = 60.0
# Never give up on a message: only our own failures (database down, a bug) make it
# come back, and a message dropped after N tries would be a lost signal.
MAX_DELIVER_UNLIMITED = -1
# Caps what one consumer holds unacked, so a stalled process does not hoard the stream.
MAX_ACK_PENDING = 1000

intake_in_db_thread = database_sync_to_async(nats_message_intake)  # closes stale connections around each call


@dataclass(frozen=True)
class ConsumerOptions:
    url: str
    stream: str
    subjects: tuple[str, ...]
    durable: str
    dead_letter_subject: str
    events_prefix: str
    batch: int = 10
    ack_wait: float = 30.0  # seconds; applies when the durable consumer is created
    fetch_timeout: float = 2.0  # also bounds how long a stop request waits
    once: bool = False  # stop at the first empty fetch
    pause_before_ack: float = 0.0  # test hook: widens the commit-to-ack window so a test can kill us there

    @classmethod
    def from_settings(cls, **overrides: Any) -> ConsumerOptions:
        options = cls(
            url=settings.NATS_URL or DEFAULT_URL,
            stream=settings.NATS_STREAM,
            subjects=tuple(settings.NATS_SIGNAL_SUBJECTS),
            durable=settings.NATS_DURABLE,
            dead_letter_subject=settings.NATS_DEAD_LETTER_SUBJECT,
            events_prefix=settings.NATS_EVENTS_SUBJECT_PREFIX,
        )
        return replace(options, **{name: value for name, value in overrides.items() if value is not None})


@dataclass
class ConsumeStats:
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    retried: int = 0

    def count(self, kind: OutcomeKind | None) -> None:
        if kind is None:
            self.retried += 1
        else:
            setattr(self, kind.value, getattr(self, kind.value) + 1)


async def consume_until_signalled(options: ConsumerOptions) -> ConsumeStats:
    """Run until SIGTERM or SIGINT: the message in hand is finished, the rest handed back."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, _stop_requested, stop, signum)
    return await consume_signals(options, stop=stop)


async def consume_signals(options: ConsumerOptions, *, stop: asyncio.Event | None = None) -> ConsumeStats:
    subjects_check(options)
    stop = stop or asyncio.Event()
    stats = ConsumeStats()
    nc = await nats.connect(
        options.url,
        name="petrosa-consume-signals",
        # A service waits for NATS to come (back); a one-shot run should fail fast instead.
        max_reconnect_attempts=3 if options.once else -1,
        reconnected_cb=_reconnected,
    )
    try:
        js = nc.jetstream()
        await _stream_ensure(js, options)
        subscription = await _consumer_bind(js, options)
        logger.info(
            "nats_intake consuming url=%s stream=%s durable=%s subjects=%s",
            _safe_url(options.url), options.stream, options.durable, ",".join(options.subjects),
        )  # fmt: skip
        while not stop.is_set():
            messages = await _fetch(subscription, options)
            if not messages and options.once:
                break
            await _batch_process(nc, messages, options, stats, stop)
    finally:
        await _connection_close(nc)
    logger.info(
        "nats_intake stopped accepted=%d duplicate=%d rejected=%d retried=%d",
        stats.accepted, stats.duplicate, stats.rejected, stats.retried,
    )  # fmt: skip
    return stats


def subjects_check(options: ConsumerOptions) -> None:
    """Refuse wiring where the intake would consume what it publishes itself, forever."""
    for own, what in ((options.dead_letter_subject, "dead-letter subject"), (f"{options.events_prefix}.*", "events")):
        if any(subject_covers(pattern, own) for pattern in options.subjects):
            raise ImproperlyConfigured(f"The {what} {own!r} lies inside the signal subjects {options.subjects}.")


def subject_covers(pattern: str, subject: str) -> bool:
    """True when every subject that ``subject`` matches is matched by ``pattern`` (both may hold wildcards)."""
    wanted, given = pattern.split("."), subject.split(".")
    for index, token in enumerate(wanted):
        if token == ">":
            return len(given) > index
        if index >= len(given) or given[index] == ">" or token not in ("*", given[index]):
            return False
    return len(given) == len(wanted)


async def _stream_ensure(js: JetStreamContext, options: ConsumerOptions) -> None:
    """Create the stream if it is missing; an existing one is left as its owner configured it."""
    try:
        info = await js.stream_info(options.stream)
    except NotFoundError:
        await js.add_stream(name=options.stream, subjects=list(options.subjects))
        logger.info("nats_intake created stream=%s subjects=%s", options.stream, ",".join(options.subjects))
        return
    # The consumer reads the whole stream (nats-server 2.9 filters on one subject only),
    # so a stream holding other subjects would have them dead-lettered as bad signals.
    foreign = [s for s in info.config.subjects or [] if not any(subject_covers(p, s) for p in options.subjects)]
    if foreign:
        raise ImproperlyConfigured(
            f"Stream {options.stream!r} also holds {foreign}; point PETROSA_NATS_STREAM at a stream "
            f"that holds only the signal subjects {options.subjects}."
        )


async def _consumer_bind(js: JetStreamContext, options: ConsumerOptions) -> JetStreamContext.PullSubscription:
    try:
        await js.consumer_info(options.stream, options.durable)
    except NotFoundError:
        config = ConsumerConfig(
            name=options.durable,
            durable_name=options.durable,
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=options.ack_wait,
            max_deliver=MAX_DELIVER_UNLIMITED,
            max_ack_pending=MAX_ACK_PENDING,
        )
        await js.add_consumer(options.stream, config=config)
        logger.info("nats_intake created durable=%s ack_wait=%ss", options.durable, options.ack_wait)
    return await js.pull_subscribe_bind(durable=options.durable, stream=options.stream)


async def _fetch(subscription: JetStreamContext.PullSubscription, options: ConsumerOptions) -> list[Msg]:
    try:
        return await subscription.fetch(options.batch, timeout=options.fetch_timeout)
    except TimeoutError:  # nothing to do right now
        return []


async def _batch_process(
    nc: Client, messages: list[Msg], options: ConsumerOptions, stats: ConsumeStats, stop: asyncio.Event
) -> None:
    for index, msg in enumerate(messages):
        if stop.is_set():
            # Hand the rest back now rather than after ack_wait, so another consumer can take them.
            for leftover in messages[index:]:
                await leftover.nak()
            return
        stats.count(await _message_process(nc, msg, options))


async def _message_process(nc: Client, msg: Msg, options: ConsumerOptions) -> OutcomeKind | None:
    """Settle one message; None when it was handed back for a later redelivery."""
    message = _nats_message(msg)
    try:
        outcome = await intake_in_db_thread(message)
        if outcome.kind is OutcomeKind.REJECTED:
            await _dead_letter_publish(nc, options, message, outcome)
    except (OperationalError, InterfaceError) as exc:
        await _hand_back(msg, message, f"database unavailable: {exc}".splitlines()[0])
        return None
    except Exception:  # noqa: BLE001 - a bug or a NATS failure: the message must come back, not vanish
        logger.exception("nats_intake unexpected error stream_seq=%d", message.stream_sequence)
        await _hand_back(msg, message, "unexpected error")
        return None
    await _event_publish(nc, options, message, outcome)
    if options.pause_before_ack:
        seconds = options.pause_before_ack
        logger.warning("nats_intake holding ack (test hook) stream_seq=%d seconds=%s", message.stream_sequence, seconds)
        await asyncio.sleep(options.pause_before_ack)
    if outcome.kind is OutcomeKind.REJECTED:
        await msg.term()
    else:
        await msg.ack()
    logger.info(
        "nats_intake outcome=%s stream_seq=%d delivery=%d subject=%s strategy=%s signal_id=%s reason=%s",
        outcome.kind.value, message.stream_sequence, message.delivery, message.subject,
        outcome.strategy_name, outcome.signal_id, outcome.reason,
    )  # fmt: skip
    return outcome.kind


async def _hand_back(msg: Msg, message: NatsMessage, cause: str) -> None:
    """Nak with a delay that doubles per delivery, so an outage is not hammered."""
    delay = min(2.0 ** (message.delivery - 1), MAX_REDELIVERY_DELAY_SECONDS)
    logger.warning(
        "nats_intake retry stream=%s stream_seq=%d delivery=%d delay=%.0fs cause=%s",
        message.stream, message.stream_sequence, message.delivery, delay, cause,
    )  # fmt: skip
    await msg.nak(delay=delay)


def _nats_message(msg: Msg) -> NatsMessage:
    metadata = msg.metadata
    return NatsMessage(
        subject=msg.subject,
        headers=dict(msg.headers or {}),
        data=msg.data,
        stream=metadata.stream,
        stream_sequence=metadata.sequence.stream,
        stored_at=metadata.timestamp,
        delivery=metadata.num_delivered,
    )


async def _dead_letter_publish(
    nc: Client, options: ConsumerOptions, message: NatsMessage, outcome: NatsOutcome
) -> None:
    await nc.publish(options.dead_letter_subject, message.data, headers=dead_letter_headers(message, outcome))
    await nc.flush()  # the server has the copy before the original is terminated


async def _event_publish(nc: Client, options: ConsumerOptions, message: NatsMessage, outcome: NatsOutcome) -> None:
    if outcome.strategy_name is None:
        return  # nobody proved who sent it; the dead-letter subject has it
    event = outcome_event(outcome, message, at=timezone.now())
    await nc.publish(f"{options.events_prefix}.{outcome.strategy_name}", json.dumps(event).encode())
    await nc.flush()  # published before the message is settled: a crash can repeat an event, never lose one


async def _connection_close(nc: Client) -> None:
    # Not nc.drain(): draining a pull subscription can sit out the whole drain_timeout
    # waiting on nats-py's own queue bookkeeping. Flushing sends the last acks and events;
    # whatever was delivered but not yet fetched comes back after ack_wait.
    if nc.is_closed:
        return
    try:
        await nc.flush()
    except NatsError as exc:
        logger.warning("nats_intake could not flush before closing (unacked messages will be redelivered): %s", exc)
    await nc.close()


def _stop_requested(stop: asyncio.Event, signum: int) -> None:
    logger.info("nats_intake stopping on %s: finishing the message in hand", signal.Signals(signum).name)
    stop.set()


async def _reconnected() -> None:
    logger.info("nats_intake reconnected to NATS")


def _safe_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or 4222}"  # never the credentials in it
