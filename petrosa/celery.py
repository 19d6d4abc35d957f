"""The Celery application. Settings come from Django settings (CELERY_*)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "petrosa.settings")

app = Celery("petrosa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["petrosa.core", "signals_app", "risk_app", "execution_app", "configs_app"])
