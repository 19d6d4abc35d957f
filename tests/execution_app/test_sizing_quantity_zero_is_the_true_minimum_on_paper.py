"""quantity 0 (seed 001) becomes each symbol's true minimum, worked out by hand from
the bundled exchangeInfo snapshots, and the paper exchange accepts and fills it.
Prices: BTCUSDT 50000, ETHUSDT 3000, DOGEUSDT 0.1."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from django.test import override_settings

from execution_app.models import OrderStatus
from execution_app.services.pipeline import signal_execute
from tests.execution_app.order_helpers import accepted_signal, configure, orders_of
from tests.factories import StrategyWithKey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("prices")]

MINIMUMS = {
    # USD-M: max(minQty, MIN_NOTIONAL / price) rounded up to the step
    ("usdm", "BTCUSDT"): D("0.002"),  # max(0.001, 100 / 50000 = 0.002)
    ("usdm", "ETHUSDT"): D("0.007"),  # max(0.001, 20 / 3000 = 0.00666…) → 0.007
    ("usdm", "DOGEUSDT"): D("50"),  # max(1, 5 / 0.1 = 50)
    # spot: NOTIONAL minNotional 10 (5 for DOGE)
    ("spot", "BTCUSDT"): D("0.0002"),  # max(0.00001, 10 / 50000 = 0.0002)
    ("spot", "ETHUSDT"): D("0.0034"),  # max(0.0001, 10 / 3000 = 0.00333…) → 0.0034
    ("spot", "DOGEUSDT"): D("50"),  # max(1, 5 / 0.1 = 50)
}


@pytest.mark.parametrize(("market", "symbol"), list(MINIMUMS))
def test_quantity_zero_is_filled_at_the_true_minimum(market: str, symbol: str, strategy: StrategyWithKey,
                                                     db: Any) -> None:  # fmt: skip
    # min_position_size_usd 0: the gate's default floor (10 USD) would refuse DOGEUSDT's 5 USD minimum.
    configure(risk_management_enabled=False, min_position_size_usd=D("0"))
    with override_settings(EXCHANGE_MARKET=market):
        signal = accepted_signal(strategy.strategy, symbol=symbol, quantity=D("0"))
        signal_execute(signal_id=signal.pk)
    entry = orders_of(signal)["entry"]
    assert (entry.quantity, entry.status) == (MINIMUMS[(market, symbol)], OrderStatus.FILLED), entry.status_reason
    assert entry.executed_quantity == MINIMUMS[(market, symbol)]
