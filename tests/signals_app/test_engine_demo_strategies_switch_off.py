"""seed_demo with PETROSA_DEMO on creates the two demo strategies with the
demo's own fast parameters (the shipped defaults stay seed 003's) and fresh
state; with it off, it creates none and switches existing ones off."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from signals_app.engine.models import BuiltinStrategy, BuiltinStrategyState
from signals_app.engine.registry import shipped_registry
from signals_app.models import Strategy

pytestmark = pytest.mark.django_db


def seed(demo: bool) -> str:
    out = StringIO()
    with override_settings(DEMO=demo):
        call_command("seed_demo", "--password", "pw-123456789", stdout=out)
    return out.getvalue()


def test_demo_on_creates_both_with_demo_parameters_and_says_how_to_switch_off() -> None:
    printed = seed(True)
    demo = {b.strategy.name: b for b in BuiltinStrategy.objects.select_related("strategy")}
    assert set(demo) == {"demo_ma_crossover", "demo_rsi_reversion"}
    ma = demo["demo_ma_crossover"]
    assert (ma.kind, ma.symbols, ma.strategy.is_active) == ("ma_crossover", ["BTCUSDT", "ETHUSDT", "SOLUSDT"], True)
    assert (ma.parameters["short_period"], ma.parameters["long_period"]) == (5, 15)
    assert shipped_registry().get("ma_crossover").defaults()["short_period"] == 20  # the shipped default is untouched
    assert demo["demo_rsi_reversion"].parameters["period"] == 7
    assert "built-in strategy demo_ma_crossover on BTCUSDT, ETHUSDT, SOLUSDT: short_period=5" in printed
    assert "Switch off with PETROSA_DEMO=false" in printed


def test_seeding_again_resets_the_demo_state_and_reactivates() -> None:
    seed(True)
    ma = BuiltinStrategy.objects.get(strategy__name="demo_ma_crossover")
    BuiltinStrategyState.objects.create(builtin=ma, symbol="BTCUSDT", data={"window": ["1", "2"]})
    Strategy.objects.filter(name="demo_ma_crossover").update(is_active=False)
    seed(True)
    assert not BuiltinStrategyState.objects.filter(builtin=ma).exists()
    assert Strategy.objects.get(name="demo_ma_crossover").is_active


def test_demo_off_creates_nothing_and_switches_existing_ones_off() -> None:
    printed = seed(False)
    assert not BuiltinStrategy.objects.exists() and "built-in strategy" not in printed
    seed(True)
    seed(False)
    assert set(Strategy.objects.filter(builtin__isnull=False, is_active=True).values_list("name", flat=True)) == set()
    assert BuiltinStrategy.objects.count() == 2
