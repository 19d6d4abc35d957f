"""A real web server (uvicorn, `manage.py serve`) on the test database, shared
by the tests of one module, and logins that work against it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import database_url_for_subprocess
from tests.e2e.processes import start_web


def live_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url_for_subprocess(),
        REDIS_URL=settings.REDIS_URL,
        PETROSA_TRADING_MODE="paper",
        DJANGO_SETTINGS_MODULE="petrosa.settings",
        PYTHONUNBUFFERED="1",
        PETROSA_DASHBOARD_TICK_SECONDS="0.2",
        **extra,
    )
    return env


@pytest.fixture(scope="module")
def live_url(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """The server only reads and writes the test database over its own
    connections; each test brings its own data (transactional_db)."""
    web, url = start_web(live_env())
    try:
        yield url
    finally:
        web.kill()


def session_cookie(user: Any) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value}
