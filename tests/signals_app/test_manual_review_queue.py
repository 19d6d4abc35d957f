"""The manual-review queue: conflicting signals wait for an operator, who
approves (re-checked for age and price drift) or rejects with a reason."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from configs_app.services import config_set_global
from execution_app.models import Order
from petrosa.core.market import price_set
from petrosa.core.models import AuditEvent
from signals_app.models import Signal, SignalStatus
from signals_app.services.intake import signal_intake
from signals_app.services.review import signals_expire_unreviewed
from tests.factories import make_strategy

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager_pipeline", "prices")]


@pytest.fixture
def parked(db: Any) -> tuple[Signal, Signal]:
    config_set_global(parameters={"signal_conflict_resolution": "manual_review"}, changed_by="user:test",
                      reason="review scenario")  # fmt: skip
    first = signal_intake(strategy=make_strategy("trend_v1").strategy, data={
        "symbol": "BTCUSDT", "action": "buy", "confidence": Decimal("0.7"), "quantity": Decimal("0.01")}).signal
    second = signal_intake(strategy=make_strategy("reversion_v1").strategy, data={
        "symbol": "BTCUSDT", "action": "sell", "confidence": Decimal("0.8"), "quantity": Decimal("0.01"),
        "current_price": Decimal("50000")}).signal  # fmt: skip
    second.refresh_from_db()
    assert second.status == SignalStatus.PENDING_REVIEW
    return first, second


def user(name: str, *, reviewer: bool) -> Client:
    account = get_user_model().objects.create_user(name, password="pw-123456789", is_staff=True)
    if reviewer:
        account.user_permissions.add(Permission.objects.get(codename="review_signal"))
    client = Client()
    client.force_login(account)
    return client


def review_url(signal: Signal) -> str:
    return f"/admin/signals_app/signalreview/{signal.pk}/review/"


def test_the_queue_shows_the_conflict_side_by_side(parked: tuple[Signal, Signal]) -> None:
    first, second = parked
    client = user("rita", reviewer=True)
    listing = client.get("/admin/signals_app/signalreview/").content.decode()
    assert f"{second.pk}" in listing and "Review" in listing
    page = client.get(review_url(second)).content.decode()
    assert 'id="under-review"' in page and f"#{second.pk}" in page
    assert 'class="row2 conflict"' in page and f"#{first.pk}" in page


def test_without_the_permission_the_queue_is_refused(parked: tuple[Signal, Signal]) -> None:
    client = user("viewer", reviewer=False)
    assert client.get(review_url(parked[1])).status_code == 403
    assert client.post(review_url(parked[1]), {"approve": "1"}).status_code == 403
    assert Signal.objects.get(pk=parked[1].pk).status == SignalStatus.PENDING_REVIEW


def test_approval_sends_the_signal_through_the_risk_gate(parked: tuple[Signal, Signal]) -> None:
    _, second = parked
    response = user("rita", reviewer=True).post(review_url(second), {"approve": "1", "reason": "trend broke"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == SignalStatus.ORDERED
    assert second.risk_decision.approved
    assert Order.objects.get(signal=second, role="entry").side == "SELL"
    event = AuditEvent.objects.get(entity_id=str(second.pk), kind="signal.accepted")
    assert event.actor == "user:rita" and event.data["note"] == "trend broke"


def test_rejection_needs_a_reason_and_is_audited(parked: tuple[Signal, Signal]) -> None:
    _, second = parked
    client = user("rita", reviewer=True)
    client.post(review_url(second), {"reject": "1", "reason": "  "})
    assert Signal.objects.get(pk=second.pk).status == SignalStatus.PENDING_REVIEW
    client.post(review_url(second), {"reject": "1", "reason": "conflicts with the desk view"})
    second.refresh_from_db()
    assert (second.status, second.status_reason) == (SignalStatus.REJECTED, "rejected_by_reviewer")
    event = AuditEvent.objects.get(entity_id=str(second.pk), kind="signal.rejected")
    assert event.actor == "user:rita" and event.data["note"] == "conflicts with the desk view"
    assert not Order.objects.filter(signal=second).exists()


def test_approval_is_refused_when_the_price_moved_too_far(parked: tuple[Signal, Signal]) -> None:
    _, second = parked
    price_set(symbol="BTCUSDT", price=Decimal("51000"), source="test")  # 2 % > 1 %
    user("rita", reviewer=True).post(review_url(second), {"approve": "1"})
    second.refresh_from_db()
    assert second.status == SignalStatus.PENDING_REVIEW
    assert not Order.objects.filter(signal=second).exists()


def test_unreviewed_signals_expire(parked: tuple[Signal, Signal]) -> None:
    _, second = parked
    Signal.objects.filter(pk=second.pk).update(received_at=timezone.now() - timedelta(seconds=901))
    assert signals_expire_unreviewed() == 1
    second.refresh_from_db()
    assert (second.status, second.status_reason) == (SignalStatus.EXPIRED, "review_expired")
    assert AuditEvent.objects.filter(entity_id=str(second.pk), kind="signal.expired").exists()


def test_approving_a_signal_that_waited_too_long_expires_it(parked: tuple[Signal, Signal]) -> None:
    _, second = parked
    Signal.objects.filter(pk=second.pk).update(received_at=timezone.now() - timedelta(seconds=901))
    user("rita", reviewer=True).post(review_url(second), {"approve": "1"})
    second.refresh_from_db()
    assert second.status == SignalStatus.EXPIRED
    assert not Order.objects.filter(signal=second).exists()
