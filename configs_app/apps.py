from __future__ import annotations

from django.apps import AppConfig


class ConfigsAppConfig(AppConfig):
    name = "configs_app"
    verbose_name = "Trading configuration"
    default_auto_field = "django.db.models.BigAutoField"
