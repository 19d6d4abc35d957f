"""Shared fixtures. The suite runs on the real PostgreSQL and Redis that
`make test` starts; only the quick-start smoke test uses SQLite (in its own
subprocess)."""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any, Iterator

import pytest
import redis
from django.conf import settings
from rest_framework.test import APIClient

from petrosa.celery import app as celery_app
from petrosa.core.market import price_set
from tests.factories import StrategyWithKey, make_strategy


def pytest_configure(config: pytest.Config) -> None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise pytest.UsageError(
            "The suite runs on PostgreSQL: run `make test`, or set DATABASE_URL=postgres://... and REDIS_URL"
        )
    if not settings.REDIS_URL:
        raise pytest.UsageError("The suite needs Redis: run `make test`, or set REDIS_URL=redis://127.0.0.1:6379/15")


@pytest.fixture(autouse=True)
def _clean_redis() -> Iterator[None]:
    """Each test starts with an empty broker, cache and channel layer."""
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    yield


@pytest.fixture
def eager_pipeline() -> Iterator[None]:
    """Run handed-off Celery tasks in-process (Celery's own eager mode), for
    tests about what a stage decides rather than how it is delivered."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def prices(db: Any) -> dict[str, Decimal]:
    table = {"BTCUSDT": Decimal("50000"), "ETHUSDT": Decimal("3000"), "DOGEUSDT": Decimal("0.1")}
    for symbol, price in table.items():
        price_set(symbol=symbol, price=price, source="test")
    return table


@pytest.fixture
def strategy(db: Any) -> StrategyWithKey:
    return make_strategy("momentum_v1")


@pytest.fixture
def other_strategy(db: Any) -> StrategyWithKey:
    return make_strategy("mean_reversion_v1")


@pytest.fixture
def strategy_client(strategy: StrategyWithKey) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {strategy.key}")
    return client


@pytest.fixture
def operator(db: Any) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("op", password="op-pass-123456", is_staff=True, is_superuser=True)


def database_url_for_subprocess() -> str:
    """The URL of the database the tests are using right now (the test database)."""
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def subprocess_env(transactional_db: Any) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url_for_subprocess(),
        REDIS_URL=settings.REDIS_URL,
        PETROSA_TRADING_MODE="paper",
        DJANGO_SETTINGS_MODULE="petrosa.settings",
        PYTHONUNBUFFERED="1",
    )
    return env
