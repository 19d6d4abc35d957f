"""GET /api/v1/positions, /positions/{symbol}, /account and /price/{symbol} (and the seed's
/account and /price/{symbol}): positions marked to the last price, P&L per strategy,
today's P&L, and 404s with stable codes."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from rest_framework.test import APIClient

from execution_app.services.pipeline import signal_execute
from petrosa.core.market import price_set
from tests.execution_app.order_helpers import accepted_signal, configure
from tests.factories import StrategyWithKey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("prices")]


@pytest.fixture(autouse=True)
def _config(db: Any) -> None:
    configure(duplicate_signal_window_seconds=0, max_positions_per_symbol=10, stop_loss_pct=D("2"),
              take_profit_pct=D("5"), risk_management_enabled=True)  # fmt: skip


@pytest.fixture
def staff(operator: Any) -> APIClient:
    client = APIClient()
    client.force_login(operator)
    return client


def _buy(strategy: StrategyWithKey, quantity: str) -> None:
    signal = accepted_signal(strategy.strategy, quantity=D(quantity))
    signal_execute(signal_id=signal.pk)


def test_positions_are_marked_to_the_last_price(staff: APIClient, strategy: StrategyWithKey,
                                                other_strategy: StrategyWithKey) -> None:  # fmt: skip
    assert staff.get("/api/v1/positions").json() == []
    _buy(strategy, "0.01")
    _buy(other_strategy, "0.03")
    price_set(symbol="BTCUSDT", price=D("51000"), source="test")
    (long,) = staff.get("/api/v1/positions").json()
    # 0.04 @ 50000 marked at 51000: +40; fees 0.1 % of 2000 = 2 USDT
    assert (long["symbol"], long["side"], long["quantity"], long["avg_entry_price"], long["mark_price"]) == (
        "BTCUSDT", "LONG", "0.04", "50000", "51000")  # fmt: skip
    assert (long["unrealized_pnl"], long["realized_pnl"], long["fees_paid"], long["notional"]) == (
        "40", "-2", "2", "2040")  # fmt: skip
    assert sorted(o["role"] for o in long["protective_orders"]) == ["stop_loss"] * 2 + ["take_profit"] * 2

    detail = staff.get("/api/v1/positions/btcusdt").json()
    assert detail["mark_price"] == "51000" and len(detail["positions"]) == 1
    shares = {s["strategy"]: s for s in detail["strategies"]}
    assert (shares[strategy.name]["net_quantity"], shares[strategy.name]["fees"]) == ("0.01", "0.5")
    other = shares[other_strategy.name]
    assert (other["net_quantity"], other["realized_pnl"]) == ("0.03", "-1.5")
    assert {o["role"] for o in detail["open_orders"]} == {"stop_loss", "take_profit"}


def test_flat_positions_are_listed_on_request(staff: APIClient, strategy: StrategyWithKey) -> None:
    _buy(strategy, "0.01")
    close = accepted_signal(strategy.strategy, action="close")
    signal_execute(signal_id=close.pk)
    assert staff.get("/api/v1/positions").json() == []
    (flat,) = staff.get("/api/v1/positions?include_flat=true").json()
    assert (flat["quantity"], flat["realized_pnl"], flat["protective_orders"]) == ("0", "-1", [])  # two 0.5 fees


def test_the_account_sums_equity_and_todays_pnl(staff: APIClient, strategy: StrategyWithKey) -> None:
    _buy(strategy, "0.02")
    price_set(symbol="BTCUSDT", price=D("50500"), source="test")
    account = staff.get("/api/v1/account").json()
    # realized −1 (fee), unrealized (50500 − 50000) × 0.02 = 10
    assert (account["realized_pnl"], account["unrealized_pnl"], account["equity"]) == ("-1", "10", "100009")
    assert (account["daily_pnl"], account["daily_realized_pnl"]) == ("9", "-1")
    assert (account["open_positions"], account["working_orders"], account["exposure"]) == (1, 2, "1010")
    assert (account["trading_mode"], account["market"], account["risk_mode"]) == ("paper", "usdm", "active")
    assert account["strategies"][strategy.name]["fees"] == "1"
    assert staff.get("/account").json()["equity"] == "100009"  # the seed path


def test_price_of_a_symbol(staff: APIClient, strategy_client: APIClient) -> None:
    body = staff.get("/api/v1/price/ethusdt").json()
    assert (body["symbol"], body["price"], body["source"]) == ("ETHUSDT", "3000", "test")
    assert strategy_client.get("/price/BTCUSDT").json()["price"] == "50000"
    unknown = staff.get("/api/v1/price/NOPEUSDT")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "unknown_symbol")
    no_price = staff.get("/api/v1/price/BNBUSDT")
    assert (no_price.status_code, no_price.json()["error"]["code"]) == (404, "no_price")
    assert staff.get("/api/v1/positions/NOPEUSDT").json()["error"]["code"] == "unknown_symbol"


def test_who_may_read_positions(strategy_client: APIClient, db: Any) -> None:
    from django.contrib.auth import get_user_model

    assert APIClient().get("/api/v1/positions").status_code == 401
    assert strategy_client.get("/api/v1/positions").status_code == 200
    customer = APIClient()
    customer.force_login(get_user_model().objects.create_user("nobody", password="pw-123456-abc"))
    response = customer.get("/api/v1/account")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "operator_required")
