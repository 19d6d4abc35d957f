from __future__ import annotations

from django.apps import AppConfig


class SignalsAppConfig(AppConfig):
    name = "signals_app"
    verbose_name = "Signals and strategies"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register the Celery tasks in every process (web too), so stages can
        # hand work on by task name.
        from signals_app import openapi, tasks  # noqa: F401
