"""The Celery application. Settings come from Django settings (CELERY_*)."""

from __future__ import annotations

import os

from celery import Celery
from celery.app.amqp import AMQP
from kombu import Connection

from petrosa.core.metrics.celery_hooks import connect_observability

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "petrosa.settings")


class BrokerConnection(Connection):
    """kombu's Connection, except that collect() lets go of the default channel too.

    When the broker goes away, Celery 5.7's consumer calls ``collect()`` on the dead
    connection and then ``close()``. On the Redis transport, collect() cannot finish
    closing the default channel (draining its pending BRPOP fails), yet it detaches
    the transport (``transport.client = None``) and keeps the channel. close() then
    closes that channel a second time, which restores its unacknowledged messages
    through the detached transport: ``AttributeError: 'NoneType' object has no
    attribute 'hostname'``, which the worker treats as unrecoverable and exits.
    After collect() nothing may touch the old broker, so the channel is dropped with
    the rest; its unacknowledged messages stay in Redis's unacked index, where any
    worker restores them after the visibility timeout (and the sweeper re-enqueues
    unfinished work from the database meanwhile).
    """

    def collect(self, socket_timeout: float | None = None) -> None:
        try:
            super().collect(socket_timeout)
        finally:
            self._default_channel = None


class PetrosaAMQP(AMQP):
    Connection = BrokerConnection
    BrokerConnection = BrokerConnection


app = Celery("petrosa", amqp=PetrosaAMQP)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(
    ["petrosa.core", "signals_app", "signals_app.ideas", "risk_app", "execution_app",
     "execution_app.exchange.binance", "configs_app"]
)  # fmt: skip
app.autodiscover_tasks(["petrosa.core"], related_name="audit_tasks")
# Correlation ids through task headers, task metrics, worker heartbeats, JSON logs in workers.
connect_observability()
