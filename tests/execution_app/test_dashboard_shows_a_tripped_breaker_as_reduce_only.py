"""The dashboard shows the mode the gate applies: a tripped daily-loss breaker
reads as reduce-only even while the kill switch itself is still 'active'."""

from __future__ import annotations

import pytest

from execution_app.dashboard.selectors import dashboard_live
from risk_app.models import TradingMode
from risk_app.services.kill_switch import risk_state_get

pytestmark = pytest.mark.django_db


def test_a_tripped_breaker_shows_as_reduce_only() -> None:
    state = risk_state_get()
    assert dashboard_live()["risk_state"]["mode"] == TradingMode.ACTIVE
    type(state).objects.filter(pk=state.pk).update(breaker_tripped=True)
    risk = dashboard_live()["risk_state"]
    assert (risk["mode"], risk["kill_switch"], risk["breaker_tripped"]) == (
        TradingMode.REDUCE_ONLY, TradingMode.ACTIVE, True
    )
