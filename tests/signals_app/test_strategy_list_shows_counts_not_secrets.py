"""GET /strategies: each strategy with its signal counts by status, counted in
one query however many strategies there are, and never the key's hash."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from signals_app.models import Strategy
from tests.factories import SignalFactory, StrategyWithKey, make_strategy

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(db: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(get_user_model().objects.create_user("watcher", is_staff=True))
    return client


def test_each_strategy_has_its_fields_and_exact_counts(
    staff_client: APIClient, strategy: StrategyWithKey, other_strategy: StrategyWithKey
) -> None:
    SignalFactory.create_batch(3, strategy=strategy.strategy, status="ordered")
    SignalFactory.create_batch(2, strategy=strategy.strategy, status="rejected")
    SignalFactory(strategy=other_strategy.strategy, status="received")
    Strategy.objects.filter(pk=other_strategy.strategy.pk).update(weight=Decimal("0.8"), description="fades moves")

    listed = {s["name"]: s for s in staff_client.get("/strategies").json()}

    mine = listed["momentum_v1"]
    assert mine["key_prefix"] == strategy.strategy.key_prefix
    assert strategy.key.startswith(f"ptk_{mine['key_prefix']}_")
    assert (mine["is_active"], mine["weight"], mine["key_rotated_at"]) == (True, "1", None)
    assert mine["created_at"]
    assert mine["signal_counts"] == {"received": 0, "accepted": 0, "pending_review": 0, "held": 0, "rejected": 2,
                                     "ordered": 3, "expired": 0, "total": 5}  # fmt: skip
    theirs = listed["mean_reversion_v1"]
    assert (theirs["weight"], theirs["description"]) == ("0.8", "fades moves")
    assert theirs["signal_counts"]["received"] == theirs["signal_counts"]["total"] == 1


def test_the_key_hash_is_never_shown(staff_client: APIClient, strategy: StrategyWithKey) -> None:
    response = staff_client.get("/strategies")
    assert strategy.strategy.key_hash not in response.content.decode()
    assert "key_hash" not in response.json()[0]
    assert strategy.key not in response.content.decode()


@pytest.mark.parametrize("strategy_count", [1, 6])
def test_listing_is_one_query_whatever_the_number_of_strategies(staff_client: APIClient, strategy_count: int) -> None:
    for number in range(strategy_count):
        SignalFactory(strategy=make_strategy(f"s{number}").strategy)
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get("/strategies")
    assert len(response.json()) == strategy_count
    assert len(queries) == 1, [q["sql"] for q in queries]
