"""Small functions other layers call to feed metrics that no audit event carries.

A metric must never break the work it measures: every function here swallows
its own errors.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def exchange_weight_record(*, exchange: str, used_weight: int | str, interval: str = "1m") -> None:
    """Call with the X-MBX-USED-WEIGHT-<interval> header of every exchange response."""
    try:
        from petrosa.core.metrics.definitions import EXCHANGE_WEIGHT

        EXCHANGE_WEIGHT.labels(exchange=exchange, interval=interval.lower()).set(float(used_weight))
    except Exception:  # noqa: BLE001
        logger.warning("could not record exchange weight %r for %s", used_weight, exchange, exc_info=True)


def error_record(*, error_type: str) -> None:
    try:
        from petrosa.core.metrics.definitions import ERRORS

        ERRORS.labels(type=error_type[:64]).inc()
    except Exception:  # noqa: BLE001
        logger.warning("could not count error %s", error_type, exc_info=True)


def nats_message_record(*, outcome: str) -> None:
    """For outcomes that write no audit event (duplicates, retries)."""
    try:
        from petrosa.core.metrics.definitions import NATS_MESSAGES

        NATS_MESSAGES.labels(outcome=outcome).inc()
    except Exception:  # noqa: BLE001
        logger.warning("could not count NATS outcome %s", outcome, exc_info=True)
