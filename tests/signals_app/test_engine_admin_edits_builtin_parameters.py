"""Operators add built-in strategies and edit their parameters in the admin:
one field per parameter, the kind's bounds and rules enforced, every change
audited with the values before and after."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from petrosa.core.models import AuditEvent
from signals_app.engine.models import BuiltinStrategy
from signals_app.models import Strategy
from tests.signals_app.engine_ticks import builtin

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/signals_app/builtinstrategy/"


@pytest.fixture
def admin_client(operator: Any) -> Client:
    client = Client()
    client.force_login(operator)
    return client


def change_data(**overrides: Any) -> dict[str, Any]:
    data = {"symbols_text": "BTCUSDT, ethusdt", "timeframe": "5m", "param_short_period": "5",
            "param_long_period": "15", "param_min_confidence": "0.65", "param_gap_weight": "2000",
            "param_price_weight": "1000", "param_cooldown_seconds": "10", "reason": "faster for the demo"}  # fmt: skip
    data.update(overrides)
    return data


def test_adding_creates_a_strategy_row_with_the_shipped_defaults(admin_client: Client) -> None:
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 200
    response = admin_client.post(f"{CHANGELIST}add/", {
        "name": "rsi_btc", "description": "", "kind": "rsi_reversion", "weight": "1.5", "symbols_text": "BTCUSDT",
        "timeframe": "1m",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    created = BuiltinStrategy.objects.select_related("strategy").get(strategy__name="rsi_btc")
    assert (created.kind, created.symbols, str(created.strategy.weight)) == ("rsi_reversion", ["BTCUSDT"], "1.5000")
    assert created.parameters == {"period": 14, "oversold": "30", "overbought": "70", "base_confidence": "0.6",
                                  "cooldown_seconds": 300}  # fmt: skip
    event = AuditEvent.objects.get(kind="builtin_strategy.created")
    assert event.actor == "user:op" and event.data["kind"] == "rsi_reversion"


def test_each_parameter_is_a_field_and_edits_are_audited(admin_client: Client) -> None:
    ma = builtin("ma", "ma_crossover", {})
    page = admin_client.get(f"{CHANGELIST}{ma.pk}/change/").content.decode()
    assert 'name="param_short_period"' in page and 'value="20"' in page and 'value="50"' in page

    response = admin_client.post(f"{CHANGELIST}{ma.pk}/change/", change_data())
    assert response.status_code == 302, response.content.decode()[:3000]
    ma.refresh_from_db()
    assert (ma.symbols, ma.timeframe) == (["BTCUSDT", "ETHUSDT"], "5m")
    assert ma.parameters == {"short_period": 5, "long_period": 15, "min_confidence": "0.65", "gap_weight": "2000",
                             "price_weight": "1000", "cooldown_seconds": 10}  # fmt: skip
    event = AuditEvent.objects.get(kind="builtin_strategy.configured")
    assert event.actor == "user:op" and event.data["reason"] == "faster for the demo"
    assert event.data["before"]["parameters"]["short_period"] == 20
    assert event.data["after"]["parameters"]["short_period"] == 5


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"param_short_period": "60", "param_long_period": "50"}, "short_period must be less than long_period"),
        ({"param_short_period": "1"}, "greater than or equal to 2"),
        ({"param_min_confidence": "1.5"}, "less than or equal to 1"),
        ({"symbols_text": "BTC-USDT"}, "Not a symbol: BTC-USDT"),
    ],
)
def test_out_of_bounds_values_are_refused(admin_client: Client, overrides: dict[str, str], message: str) -> None:
    ma = builtin("ma", "ma_crossover", {})
    response = admin_client.post(f"{CHANGELIST}{ma.pk}/change/", change_data(**overrides))
    assert response.status_code == 200 and message in response.content.decode()
    ma.refresh_from_db()
    assert ma.parameters["short_period"] == 20 and not AuditEvent.objects.filter(kind="builtin_strategy.configured")


def test_deactivate_action_and_the_state_shown(admin_client: Client) -> None:
    ma = builtin("ma", "ma_crossover", {})
    response = admin_client.post(CHANGELIST, {"action": "deactivate", "_selected_action": [ma.pk]})
    assert response.status_code == 302
    assert Strategy.objects.get(name="ma").is_active is False
    assert AuditEvent.objects.filter(kind="strategy.deactivated", actor="user:op").exists()
    assert "ma_crossover" in admin_client.get(CHANGELIST).content.decode()
