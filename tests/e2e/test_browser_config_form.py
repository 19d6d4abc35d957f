"""Editing a symbol-side trading config through the admin form, in a real
browser: a risk officer changes one parameter with a reason and the new
value is what the system resolves for that symbol and side; a wrong value
is shown next to its field; a trader sees the form but cannot save."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from channels.db import database_sync_to_async
from playwright.async_api import Page, expect

from configs_app.models import TradingConfig
from configs_app.services import ScopeRef, config_resolve, config_set
from tests.e2e.browser import log_in, page, screenshot  # noqa: F401 - fixture
from tests.e2e.live import live_url  # noqa: F401 - fixture
from tests.operators import make_operator

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def btc_long() -> TradingConfig:
    make_operator("olga", role="risk officer")
    make_operator("tina", role="trader")
    change = config_set(ref=ScopeRef("symbol_side", "BTCUSDT", "LONG"), parameters={"min_confidence_threshold": "0.65"},
                        changed_by="user:setup", reason="setup")  # fmt: skip
    assert change.action == "created"
    return TradingConfig.objects.get(scope="symbol_side", symbol="BTCUSDT", side="LONG")


async def open_form(page: Page, base_url: str, user: str) -> None:
    await log_in(page, base_url, user, next_path="/admin/configs_app/tradingconfig/")
    await page.get_by_role("link", name="symbol_side BTCUSDT LONG").click()
    await expect(page.locator("#id_min_confidence_threshold")).to_have_value("0.65")


async def test_a_risk_officer_edits_a_symbol_side_config(page: Page, live_url: str,  # noqa: F811
                                                        btc_long: TradingConfig) -> None:  # fmt: skip
    await open_form(page, live_url, "olga")
    await page.fill("#id_min_confidence_threshold", "1.5")
    await page.fill("#id_reason", "tighter entries on BTC longs")
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator(".errorlist").first).to_be_visible()  # out of range, shown inline

    await page.fill("#id_min_confidence_threshold", "0.75")
    await page.fill("#id_reason", "tighter entries on BTC longs")
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator(".messagelist")).to_contain_text("BTCUSDT LONG: updated, now version 2")
    await screenshot(page, "config_saved")

    def resolved() -> tuple[TradingConfig, Any, Any]:
        return (TradingConfig.objects.get(pk=btc_long.pk), config_resolve(symbol="BTCUSDT", side="LONG"),
                config_resolve(symbol="BTCUSDT", side="SHORT"))  # fmt: skip

    row, long_side, short_side = await database_sync_to_async(resolved)()
    assert row.version == 2 and row.updated_by == "user:olga"
    assert long_side["min_confidence_threshold"] == Decimal("0.75")
    assert short_side["min_confidence_threshold"] == Decimal("0.6")  # the other side still inherits


async def test_a_trader_cannot_save_the_form(page: Page, live_url: str, btc_long: TradingConfig) -> None:  # noqa: F811
    await open_form(page, live_url, "tina")
    await expect(page.get_by_role("button", name="Save")).to_have_count(0)
    row = await database_sync_to_async(TradingConfig.objects.get)(pk=btc_long.pk)
    assert row.version == 1
