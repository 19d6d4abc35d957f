from __future__ import annotations

from django.apps import AppConfig


class ExecutionAppConfig(AppConfig):
    name = "execution_app"
    verbose_name = "Execution: orders, fills, exchanges"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register the Celery tasks in every process (web too), so stages can
        # hand work on by task name.
        from execution_app import tasks  # noqa: F401
