"""In a real browser against the real server: an operator logs in through the
form, reads the control room, approves a signal parked by a conflict, and
rejects an AI trade idea (a reason is demanded first). A viewer sees the same
queues without the buttons."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from channels.db import database_sync_to_async
from playwright.async_api import Page, expect

from configs_app.services import config_set_global
from petrosa.core.market import price_set
from petrosa.core.models import AuditEvent
from signals_app.ideas.services import trade_ideas_analyze
from signals_app.models import Signal, SignalStatus
from signals_app.models_ideas import IdeaStatus, TradeIdea
from signals_app.services.intake import signal_intake
from tests.e2e.browser import log_in, page, screenshot  # noqa: F401 - fixture
from tests.e2e.live import live_url  # noqa: F401 - fixture
from tests.factories import make_strategy
from tests.operators import make_operator, open_long

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("prices", "eager_pipeline")]


@pytest.fixture
def queues() -> dict[str, Any]:
    """One parked conflict, one pending AI idea and two rejections to look at."""
    config_set_global(parameters={"signal_conflict_resolution": "manual_review"}, changed_by="user:setup",
                      reason="browser scenario")  # fmt: skip
    trend, reversion = make_strategy("trend_v1").strategy, make_strategy("reversion_v1").strategy
    signal_intake(strategy=trend, data={"symbol": "BTCUSDT", "action": "buy", "confidence": Decimal("0.7"),
                                        "quantity": Decimal("0.01")})  # fmt: skip
    parked = signal_intake(strategy=reversion, data={"symbol": "BTCUSDT", "action": "sell",
                                                     "confidence": Decimal("0.8"), "quantity": Decimal("0.01"),
                                                     "current_price": Decimal("50000")}).signal  # fmt: skip
    for confidence in ("0.3", "0.2"):
        signal_intake(strategy=trend, data={"symbol": "ETHUSDT", "action": "buy", "confidence": Decimal(confidence),
                                            "quantity": Decimal("0.1")})  # fmt: skip
    open_long("DOGEUSDT", "1000", "0.12")
    price_set(symbol="DOGEUSDT", price=Decimal("0.1"), source="test")  # -16.7 %: the rules advisor speaks up
    ideas = trade_ideas_analyze(requested_by="user:tina").ideas
    # DOGE past its loss limit; BTC (the first signal's fill) is most of the book.
    assert sorted((i.symbol, i.rule) for i in ideas) == [("BTCUSDT", "concentration"), ("DOGEUSDT", "loss_limit")]
    idea = next(i for i in ideas if i.symbol == "DOGEUSDT")
    parked.refresh_from_db()
    assert parked.status == SignalStatus.PENDING_REVIEW
    return {"parked": parked, "idea": idea}


async def test_log_in_and_approve_a_conflict_from_the_control_room(page: Page, live_url: str,  # noqa: F811
                                                                  queues: dict[str, Any]) -> None:  # fmt: skip
    await database_sync_to_async(make_operator)("rita", role="reviewer")
    await log_in(page, live_url, "rita")

    room = page.locator("#control-room")
    await expect(room.locator("#room-reviews")).to_contain_text("Signals in conflict, waiting for review")
    reviews = room.locator("#room-reviews tbody tr")
    await expect(reviews.nth(0).locator("td.count")).to_have_text("1")
    await expect(reviews.nth(1).locator("td.count")).to_have_text("2")
    await expect(room.locator("#room-rejections")).to_contain_text("confidence_below_threshold")
    await expect(room.locator("#room-risk")).to_contain_text("Kill switch: active")
    await screenshot(page, "control_room", docs_name="control_room.png", full_page=True)

    await room.get_by_role("link", name="Signals in conflict, waiting for review").click()
    await page.get_by_role("link", name="Review", exact=True).first.click()
    await expect(page.locator("#under-review")).to_contain_text(f"#{queues['parked'].pk}")
    await page.fill("#id_reason", "momentum confirmed on the 4h")
    await page.get_by_role("button", name="Approve").click()
    await expect(page.locator(".messagelist")).to_contain_text("Approved")
    await screenshot(page, "conflict_approved")

    def approved() -> tuple[Signal, AuditEvent]:
        parked = Signal.objects.get(pk=queues["parked"].pk)
        return parked, AuditEvent.objects.get(kind="signal.accepted", entity_id=str(parked.pk))

    parked, event = await database_sync_to_async(approved)()
    assert parked.status_reason == "approved_by_reviewer" or parked.status != SignalStatus.PENDING_REVIEW
    assert event.actor == "user:rita" and event.data["note"] == "momentum confirmed on the 4h"


async def test_reject_an_ai_idea_with_a_reason(page: Page, live_url: str,  # noqa: F811
                                               queues: dict[str, Any]) -> None:  # fmt: skip
    await database_sync_to_async(make_operator)("rita", role="reviewer")
    await log_in(page, live_url, "rita")
    await page.locator("#control-room").get_by_role("link", name="AI trade ideas, waiting for review").click()
    await expect(page.locator("#result_list")).to_contain_text("DOGEUSDT")
    await page.locator("#result_list tr", has_text="DOGEUSDT").get_by_role("link", name="Review", exact=True).click()
    await expect(page.locator("#idea")).to_contain_text("loss_limit")

    await page.get_by_role("button", name="Reject").click()  # no reason yet
    await expect(page.locator(".messagelist")).to_contain_text("A reason is required")
    idea = await database_sync_to_async(TradeIdea.objects.get)(pk=queues["idea"].pk)
    assert idea.status == IdeaStatus.PENDING

    await page.fill("#id_reason", "DOGE is a hedge for the ETH book; keep it")
    await page.get_by_role("button", name="Reject").click()
    await expect(page.locator(".messagelist")).to_contain_text("rejected")
    await screenshot(page, "ai_idea_rejected")

    idea = await database_sync_to_async(TradeIdea.objects.get)(pk=queues["idea"].pk)
    assert idea.status == IdeaStatus.REJECTED and idea.decided_by == "user:rita"
    event = await database_sync_to_async(AuditEvent.objects.get)(kind="trade_idea.rejected")
    assert event.data["reason"].startswith("DOGE is a hedge")


async def test_a_viewer_sees_the_queues_but_no_review_buttons(page: Page, live_url: str,  # noqa: F811
                                                             queues: dict[str, Any]) -> None:  # fmt: skip
    await database_sync_to_async(make_operator)("vic", role="viewer")
    await log_in(page, live_url, "vic")
    await expect(page.locator("#room-reviews tbody tr").nth(1).locator("td.count")).to_have_text("2")
    await page.locator("#control-room").get_by_role("link", name="AI trade ideas, waiting for review").click()
    await expect(page.locator("#result_list")).to_contain_text("DOGEUSDT")
    await expect(page.get_by_role("link", name="Review", exact=True)).to_have_count(0)
    response = await page.goto(f"{live_url}/admin/signals_app/tradeidea/{queues['idea'].pk}/review/")
    await page.go_back()
    await screenshot(page, "ideas_as_viewer")
    assert response is not None and response.status == 403
