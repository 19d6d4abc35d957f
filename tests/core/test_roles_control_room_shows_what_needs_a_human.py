"""The control room on the admin index: pending reviews with their age, the
kill switch and breaker, open reconciliation differences and recent
rejections by reason, each linking to its list, and each shown only to a
role that may view it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from execution_app.models_binance import ReconciliationIssue, ReconciliationRun
from petrosa.core.control_room import control_room_for
from risk_app.services.kill_switch import risk_breaker_trip, risk_set_mode
from signals_app.models import Signal, SignalStatus
from signals_app.models_ideas import TradeIdea
from tests.factories import SignalFactory, make_strategy
from tests.operators import make_operator, session_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_day() -> None:
    strategy = make_strategy("trend_v1").strategy
    parked = SignalFactory(strategy=strategy, status=SignalStatus.PENDING_REVIEW)
    Signal.objects.filter(pk=parked.pk).update(received_at=timezone.now() - timedelta(minutes=7))
    for reason in ("confidence_below_threshold", "confidence_below_threshold", "kill_switch_halted"):
        SignalFactory(strategy=strategy, status=SignalStatus.REJECTED, status_reason=reason)
    stale = SignalFactory(strategy=strategy, status=SignalStatus.REJECTED, status_reason="signal_too_old")
    Signal.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - timedelta(days=2))
    for minutes_left in (10, -1):  # one live idea, one already past its expiry
        TradeIdea.objects.create(symbol="BTCUSDT", action="close", rationale="r", confidence=Decimal("0.7"),
                                 requested_by="user:t",
                                 expires_at=timezone.now() + timedelta(minutes=minutes_left))  # fmt: skip
    risk_set_mode(mode="halted", actor="user:olga", reason="exchange incident")
    risk_breaker_trip(detail={"daily_pnl": "-2100", "limit": "-2000"})
    run = ReconciliationRun.objects.create(trigger="manual", exchange="paper")
    ReconciliationIssue.objects.create(run=run, fingerprint="a", kind="position_mismatch", symbol="BTCUSDT")


def test_a_reviewer_sees_everything_that_needs_a_human(busy_day: None) -> None:
    room = control_room_for(user=make_operator("rita", role="reviewer", password=None))

    conflicts, ideas = room.reviews
    assert (conflicts.count, ideas.count) == (1, 1)  # the expired idea is not waiting any more
    assert 420 <= conflicts.age_seconds < 480
    assert conflicts.url == "/admin/signals_app/signalreview/"
    assert ideas.url == "/admin/signals_app/tradeidea/?status__exact=pending"
    kill_switch, breaker = room.risk
    assert (kill_switch.label, kill_switch.detail) == ("Kill switch: halted", "exchange incident")
    assert breaker.label == "Daily-loss breaker: TRIPPED" and "daily_pnl -2100" in breaker.detail
    assert room.has_reconciliation_model
    issues = next(item for item in room.reconciliation if "Reconciliation" in item.label)
    assert issues.count == 1 and issues.url.endswith("?resolved_at__isnull=True")
    assert [(r.label, r.count) for r in room.rejections] == [
        ("confidence_below_threshold", 2), ("kill_switch_halted", 1)
    ]  # fmt: skip
    assert room.rejections[0].url == (
        "/admin/signals_app/signal/?status__exact=rejected&status_reason=confidence_below_threshold"
    )
    assert room.needs_attention == 3


def test_the_admin_index_renders_it_with_working_links(busy_day: None) -> None:
    client = session_client(make_operator("rita", role="reviewer", password=None))
    page = client.get("/admin/").content.decode()
    assert 'id="control-room"' in page and "7m" in page
    assert 'href="/admin/signals_app/signal/?status__exact=rejected&amp;status_reason=kill_switch_halted"' in page
    listed = client.get("/admin/signals_app/signal/?status__exact=rejected&status_reason=kill_switch_halted")
    assert listed.status_code == 200 and listed.context["cl"].result_count == 1
    issues = client.get("/admin/execution_app/reconciliationissue/?resolved_at__isnull=True")
    assert issues.status_code == 200 and issues.context["cl"].result_count == 1


def test_a_user_without_a_role_sees_an_empty_room(busy_day: None) -> None:
    room = control_room_for(user=make_operator("nobody", role=None, password=None))
    assert room.reviews == [] and room.risk == [] and room.reconciliation == [] and room.rejections == []
