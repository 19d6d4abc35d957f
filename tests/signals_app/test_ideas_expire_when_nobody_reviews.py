"""Ideas nobody reviewed in time expire: beat's task marks them, audited as
the system, and leaves decided and still-fresh ideas alone."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from petrosa.celery import app
from petrosa.core.models import AuditEvent
from signals_app.models_ideas import IdeaStatus, TradeIdea

pytestmark = pytest.mark.django_db


def idea(*, minutes_left: int, status: str = IdeaStatus.PENDING) -> TradeIdea:
    return TradeIdea.objects.create(symbol="ETHUSDT", action="close", rationale="r", confidence=Decimal("0.6"),
                                    requested_by="user:t", status=status,
                                    expires_at=timezone.now() + timedelta(minutes=minutes_left))  # fmt: skip


def test_beat_expires_only_pending_ideas_past_their_expiry() -> None:
    stale, fresh, decided = idea(minutes_left=-1), idea(minutes_left=5), idea(minutes_left=-1, status="rejected")
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "signals.expire_trade_ideas" in schedule

    app.loader.import_default_modules()  # what a worker or beat does at start: autodiscovery
    expired = app.tasks["signals.expire_trade_ideas"].apply().get()

    assert expired == 1
    statuses = dict(TradeIdea.objects.values_list("id", "status"))
    assert statuses == {stale.pk: IdeaStatus.EXPIRED, fresh.pk: IdeaStatus.PENDING, decided.pk: IdeaStatus.REJECTED}
    event = AuditEvent.objects.get(kind="trade_idea.expired")
    assert (event.entity_id, event.actor) == (str(stale.pk), "system")
