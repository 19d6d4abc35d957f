from __future__ import annotations

from django.apps import AppConfig


class RiskAppConfig(AppConfig):
    name = "risk_app"
    verbose_name = "Risk gate and portfolio"
    default_auto_field = "django.db.models.BigAutoField"
