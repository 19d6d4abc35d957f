"""Hedge mode: a fill moves only the position side it names, and reducing a side
never spills over into opening the other one."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from risk_app.models import Position
from risk_app.services.positions import position_apply_fill

pytestmark = pytest.mark.django_db


def book(side: str, position_side: str, quantity: str, price: str) -> None:
    position_apply_fill(symbol="BTCUSDT", side=side, quantity=D(quantity), price=D(price), fee_quote=D("0"),
                        position_side=position_side)  # fmt: skip


def held(side: str) -> tuple[D, D, D]:
    position = Position.objects.get(symbol="BTCUSDT", side=side)
    return position.quantity, position.avg_entry_price, position.realized_pnl


def test_long_and_short_are_held_side_by_side() -> None:
    book("BUY", "LONG", "0.1", "50000")
    book("SELL", "SHORT", "0.2", "51000")
    assert held("LONG") == (D("0.1"), D("50000"), D("0"))
    assert held("SHORT") == (D("0.2"), D("51000"), D("0"))


def test_a_sell_on_long_reduces_long_and_never_opens_short() -> None:
    book("BUY", "LONG", "0.1", "50000")
    book("SELL", "LONG", "0.3", "52000")  # more than held: only the 0.1 held is closed
    assert held("LONG") == (D("0"), D("0"), D("200"))  # (52000 - 50000) * 0.1
    assert not Position.objects.filter(symbol="BTCUSDT", side="SHORT", quantity__gt=0).exists()


def test_one_way_fills_still_net_across_sides() -> None:
    book("BUY", "", "0.1", "50000")
    book("SELL", "", "0.3", "52000")
    assert held("LONG")[0] == D("0")
    assert held("SHORT")[:2] == (D("0.2"), D("52000"))
