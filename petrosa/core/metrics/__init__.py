"""Prometheus metrics, safe across web and worker processes.

Modules, so that importing this package never imports prometheus_client
before settings has chosen the multiprocess directory:

- ``multiproc``: the shared directory every process writes its samples to;
- ``definitions``: the counters and histograms (``tradeengine_*``);
- ``record``: small functions other layers call (exchange weight, errors, NATS);
- ``audit_feed``: counters driven by every audit event, after commit;
- ``state``: gauges computed at scrape time from the database and Redis;
- ``exposition``: the /metrics body;
- ``celery_hooks``: task metrics, correlation ids and worker heartbeats.
"""
