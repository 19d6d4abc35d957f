"""Deactivating a built-in strategy (POST /strategies/{name}/deactivate) stops
its signals from the next tick; its state stays warm, so once reactivated it
signals on the next crossover without a new warm-up."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from signals_app.engine.models import BuiltinStrategyState
from tests.signals_app.engine_ticks import Bars, builtin

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager_pipeline")]

MA = {"short_period": 2, "long_period": 4, "cooldown_seconds": 0}
# Crossovers: bar 8 buy (0.77094), bar 10 sell (0.95), bar 13 buy.
SERIES = ["60000", "60600", "60000", "60600", "60000", "60600", "60000", "63000", "60000", "57000", "56400",
          "57000", "60000"]  # fmt: skip


@pytest.fixture
def operator_client(operator: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(operator)
    return client


def test_deactivate_and_reactivate_take_effect_on_the_next_tick(operator_client: APIClient) -> None:
    builtin("ma", "ma_crossover", MA)
    bars = Bars()
    bars.publish(SERIES[:8])
    assert bars.emitted("ma") == [(8, "buy", Decimal("0.77094"))]

    response = operator_client.post("/strategies/ma/deactivate", {"reason": "calm down"}, format="json")
    assert response.status_code == 200, response.content
    bars.publish(SERIES[8:10], first_bar=9)
    assert bars.emitted("ma") == [(8, "buy", Decimal("0.77094"))]  # bar 10's sell was not sent
    state = BuiltinStrategyState.objects.get(builtin__strategy__name="ma")
    assert state.last_event_at == bars.at(10) and state.data["last_cross"]["action"] == "sell"

    response = operator_client.post("/strategies/ma/activate", {"reason": "back on"}, format="json")
    assert response.status_code == 200, response.content
    bars.publish(SERIES[10:], first_bar=11)
    assert [(bar, action) for bar, action, _ in bars.emitted("ma")] == [(8, "buy"), (13, "buy")]
