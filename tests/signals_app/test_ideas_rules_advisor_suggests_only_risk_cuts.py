"""The offline rules advisor: it reads the book and the last prices, suggests
closing positions past the loss limit, the profit mark or the concentration
limit, explains each with its numbers, and never writes a signal or an order."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from execution_app.models import Order
from petrosa.core.market import price_set
from petrosa.core.models import AuditEvent
from signals_app.ideas.context import advisor_context_build
from signals_app.ideas.rules import rules_advise
from signals_app.ideas.services import trade_ideas_analyze
from signals_app.models import Signal
from signals_app.models_ideas import IdeaStatus, TradeIdea
from tests.operators import open_long

pytestmark = pytest.mark.django_db


def _price(symbol: str, price: str) -> None:
    price_set(symbol=symbol, price=Decimal(price), source="test")


def test_no_positions_means_no_ideas_and_a_note(prices: Any) -> None:
    advice = rules_advise(advisor_context_build(symbols=["BTCUSDT"]))
    assert advice.drafts == []
    assert "No open positions" in advice.notes[0]


def test_a_position_down_six_percent_gets_a_close_idea_with_its_numbers(prices: Any) -> None:
    open_long("BTCUSDT", "0.1", "50000")
    _price("BTCUSDT", "47000")  # -6 %
    [draft] = rules_advise(advisor_context_build(symbols=[])).drafts
    assert (draft.symbol, draft.action, draft.side, draft.rule) == ("BTCUSDT", "close", "LONG", "loss_limit")
    assert "-6.00 %" in draft.rationale and "47000" in draft.rationale
    assert draft.confidence == Decimal("0.62000")  # 0.6 + (0.06 - 0.05) * 2


def test_a_small_move_is_left_alone(prices: Any) -> None:
    open_long("BTCUSDT", "0.1", "50000")
    _price("BTCUSDT", "48000")  # -4 %: inside the loss limit
    advice = rules_advise(advisor_context_build(symbols=[]))
    assert advice.drafts == []
    assert "none beyond the loss limit" in advice.notes[0]


def test_a_gain_past_the_profit_mark_gets_a_take_profit_idea(prices: Any) -> None:
    open_long("ETHUSDT", "1", "3000")
    _price("ETHUSDT", "3360")  # +12 %
    [draft] = rules_advise(advisor_context_build(symbols=[])).drafts
    assert draft.rule == "take_profit" and draft.action == "close"
    assert draft.confidence == Decimal("0.59000")


def test_one_position_dominating_the_book_gets_a_concentration_idea(prices: Any) -> None:
    open_long("BTCUSDT", "1", "50000")  # 50000 of 53000 notional: 94 %
    open_long("ETHUSDT", "1", "3000")
    drafts = rules_advise(advisor_context_build(symbols=[])).drafts
    assert [(d.symbol, d.rule) for d in drafts] == [("BTCUSDT", "concentration")]
    assert "94.34 %" in drafts[0].rationale


def test_analyze_saves_pending_ideas_once_and_audits_but_trades_nothing(prices: Any) -> None:
    open_long("BTCUSDT", "0.1", "50000")
    _price("BTCUSDT", "45000")
    signals_before = Signal.objects.count()
    first = trade_ideas_analyze(requested_by="user:alice", symbols=["ETHUSDT"])
    again = trade_ideas_analyze(requested_by="user:alice", symbols=["ETHUSDT"])

    [idea] = first.ideas
    assert first.created == 1 and again.created == 0
    assert again.ideas[0].pk == idea.pk  # still pending: not suggested twice
    assert idea.status == IdeaStatus.PENDING and idea.advisor == "rules"
    assert idea.inputs["prices"] == {"BTCUSDT": "45000", "ETHUSDT": "3000"}
    assert TradeIdea.objects.count() == 1
    assert Signal.objects.count() == signals_before and Order.objects.count() == 0
    created = AuditEvent.objects.get(kind="trade_idea.created")
    assert created.actor == "user:alice" and created.entity_id == str(idea.pk)
    assert AuditEvent.objects.filter(kind="ai.analysis_requested").count() == 2
