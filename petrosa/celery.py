"""The Celery application. Settings come from Django settings (CELERY_*)."""

from __future__ import annotations

import os

from celery import Celery

from petrosa.core.metrics.celery_hooks import connect_observability

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "petrosa.settings")

app = Celery("petrosa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(
    ["petrosa.core", "signals_app", "signals_app.ideas", "risk_app", "execution_app",
     "execution_app.exchange.binance", "configs_app"]
)  # fmt: skip
app.autodiscover_tasks(["petrosa.core"], related_name="audit_tasks")
# Correlation ids through task headers, task metrics, worker heartbeats, JSON logs in workers.
connect_observability()
