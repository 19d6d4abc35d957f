"""The /metrics body: every process's counters plus the scrape-time gauges."""

from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess

from petrosa.core.metrics.multiproc import ENV
from petrosa.core.metrics.state import StateCollector


def metrics_render(*, include_state: bool = True) -> tuple[bytes, str]:
    """include_state=False for a worker's own port: the state gauges come from
    the web replicas, and a second copy would only double them."""
    directory = os.environ.get(ENV)
    if directory:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=directory)
    else:
        registry = REGISTRY
    body = generate_latest(registry)
    if include_state:
        state = CollectorRegistry()
        state.register(StateCollector())
        body += generate_latest(state)
    return body, CONTENT_TYPE_LATEST
