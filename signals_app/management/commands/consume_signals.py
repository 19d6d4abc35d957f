from __future__ import annotations

import asyncio
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from signals_app.nats_intake.consumer import ConsumerOptions, consume_until_signalled

# Test hook, never needed in production: seconds to wait between commit and ack,
# so an end-to-end test can kill the process exactly there.
PAUSE_BEFORE_ACK_ENV = "PETROSA_NATS_TEST_PAUSE_BEFORE_ACK_SECONDS"


class Command(BaseCommand):
    help = (
        "Take in trading signals from NATS JetStream with a durable pull consumer. Runs until "
        "SIGTERM/SIGINT; acks each message only after its signal is committed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", help="NATS server URL (default: NATS_URL, else nats://127.0.0.1:4222)")
        parser.add_argument("--batch", type=int, default=10, help="Messages fetched per request (default 10)")
        parser.add_argument(
            "--ack-wait",
            type=float,
            default=30.0,
            help="Seconds before JetStream redelivers an unacked message; applies when the durable is created",
        )
        parser.add_argument("--once", action="store_true", help="Process what is available, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"] < 1 or options["ack_wait"] <= 0:
            raise CommandError("--batch must be at least 1 and --ack-wait positive")
        consumer_options = ConsumerOptions.from_settings(
            url=options["url"],
            batch=options["batch"],
            ack_wait=options["ack_wait"],
            once=options["once"],
            pause_before_ack=float(os.environ.get(PAUSE_BEFORE_ACK_ENV) or 0),
        )
        stats = asyncio.run(consume_until_signalled(consumer_options))
        self.stdout.write(
            f"consume_signals done: accepted={stats.accepted} duplicate={stats.duplicate} "
            f"rejected={stats.rejected} retried={stats.retried}"
        )
