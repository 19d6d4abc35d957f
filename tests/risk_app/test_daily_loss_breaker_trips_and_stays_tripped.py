"""The daily-loss breaker: it trips on unrealized losses too (the beat task),
stays tripped across a new UTC day until re-armed, and after a re-arm the
loss that tripped it does not trip it again; a further loss does."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.utils import timezone

from configs_app.services import config_resolve, config_set_global
from petrosa.core.market import price_set
from petrosa.core.models import AuditEvent
from risk_app.intent import TradeIntent
from risk_app.models import RiskDecision, RiskState
from risk_app.services.gate import risk_evaluate
from risk_app.services.kill_switch import risk_breaker_rearm
from risk_app.services.positions import position_apply_fill
from risk_app.tasks import breaker_watch
from tests.factories import SignalFactory, StrategyWithKey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("prices")]

ENTRY = TradeIntent(symbol="ETHUSDT", side="BUY", position_side="LONG", quantity=D("0.1"), price=D("3000"),
                    reduce_only=False)  # fmt: skip


def entry(strategy: StrategyWithKey, *, days_later: int = 0) -> RiskDecision:
    now = timezone.now() + timedelta(days=days_later)
    signal = SignalFactory(strategy=strategy.strategy, symbol="ETHUSDT", signal_timestamp=now)
    return risk_evaluate(signal=signal, intent=ENTRY, config=config_resolve(symbol="ETHUSDT", side="LONG"), now=now)


@pytest.fixture
def losing_long() -> None:
    """2 % daily-loss limit (2000 of 100000); a 0.5 BTC long from 50000, no fee."""
    config_set_global(parameters={"max_daily_loss_pct": D("2")}, changed_by="test", reason="test")
    position_apply_fill(symbol="BTCUSDT", side="BUY", quantity=D("0.5"), price=D("50000"), fee_quote=D("0"))


def state() -> RiskState:
    return RiskState.objects.get(pk=1)


@pytest.mark.usefixtures("losing_long")
def test_the_beat_task_trips_it_on_an_unrealized_loss() -> None:
    price_set(symbol="BTCUSDT", price=D("46100"), source="test")  # -1950: within the limit
    assert breaker_watch() is False and not state().breaker_tripped
    price_set(symbol="BTCUSDT", price=D("46000"), source="test")  # -2000: at the limit
    assert breaker_watch() is True
    assert state().breaker_tripped
    event = AuditEvent.objects.get(kind="risk.breaker_tripped")
    assert D(event.data["daily_pnl"]) == D("-2000") and D(event.data["limit"]) == D("2000")


@pytest.mark.usefixtures("losing_long")
def test_it_stays_tripped_on_the_next_day_until_rearmed(strategy: StrategyWithKey) -> None:
    price_set(symbol="BTCUSDT", price=D("45000"), source="test")
    assert entry(strategy).reason_code == "daily_loss_breaker"
    assert state().breaker_tripped

    tomorrow = entry(strategy, days_later=1)  # a new day starts from today's equity: no loss yet
    assert tomorrow.reason_code == "daily_loss_breaker"

    call_command("breaker_rearm", reason="new day, losses reviewed")
    assert entry(strategy, days_later=1).approved
    assert AuditEvent.objects.get(kind="risk.breaker_rearmed").actor == "cli"


@pytest.mark.usefixtures("losing_long")
def test_after_a_rearm_only_a_further_loss_trips_it_again(strategy: StrategyWithKey) -> None:
    price_set(symbol="BTCUSDT", price=D("45000"), source="test")  # -2500
    assert entry(strategy).reason_code == "daily_loss_breaker"
    risk_breaker_rearm(actor="user:officer", reason="accepting today's loss")

    assert entry(strategy).approved  # measured from the equity at the re-arm
    price_set(symbol="BTCUSDT", price=D("41000"), source="test")  # a further -2000
    assert entry(strategy).reason_code == "daily_loss_breaker"
    assert AuditEvent.objects.filter(kind="risk.breaker_tripped").count() == 2


def test_the_kill_switch_command_sets_the_mode(strategy: StrategyWithKey) -> None:
    call_command("kill_switch", "halted", reason="exchange incident")
    assert entry(strategy).reason_code == "kill_switch_halted"
    call_command("kill_switch", "active", reason="resolved")
    assert entry(strategy).approved
