from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "petrosa.core"
    label = "core"
    verbose_name = "Core: audit trail and market data"
    default_auto_field = "django.db.models.BigAutoField"
