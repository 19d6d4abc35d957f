"""Property: whatever the portfolio, the limits and the signal, an entry the
gate approves leaves every limit respected; and a burst of approvals, each
joining the book the previous ones left, never adds up past a limit.

The rules are pure functions over (Candidate, Limits, Book), so hypothesis
drives them directly; the limits below are computed independently of the
rules, from the generated positions.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from decimal import ROUND_UP
from decimal import Decimal as D

from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from configs_app.windows import trading_windows_allow
from risk_app.intent import SizingFailure, TradeIntent
from risk_app.services.rules import REASON_CODES, Book, Candidate, Holding, Limits, first_failure, rules_evaluate

SYMBOLS = ["BTCUSDT", "ETHUSDT", "DOGEUSDT", "SOLUSDT"]
SIDES = ["LONG", "SHORT"]
WINDOWS = ["mon-fri 08:00-17:00", "sat,sun 10:00-12:00", "fri 22:00-02:00", "00:00-24:00", "09:30-10:00"]
START = D("100000")
HUNDRED = D("100")
ROOM = st.sampled_from([0, 1, 2, 3, 5, 8])  # how far a count is below its limit (0: at it)
PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def mostly(value: object, other: object) -> st.SearchStrategy[object]:
    """Nine times in ten the permissive value: an entry must pass some sixteen
    rules at once, so each must usually pass for approvals to be common."""
    return st.sampled_from([value] * 9 + [other])


def money(low: str, high: str, places: int = 2) -> st.SearchStrategy[D]:
    return st.decimals(min_value=D(low), max_value=D(high), places=places, allow_nan=False, allow_infinity=False)


def fraction(low: str, high: str) -> st.SearchStrategy[D]:
    return money(low, high, places=4)


@st.composite
def limits_strategy(draw: st.DrawFn) -> Limits:
    leverage = draw(st.integers(1, 125))
    return Limits(
        enabled=draw(mostly(True, False)),
        enable_longs=draw(mostly(True, False)),
        enable_shorts=draw(mostly(True, False)),
        allowed_symbols=draw(mostly(frozenset(), frozenset(draw(st.sets(st.sampled_from(SYMBOLS), max_size=3))))),
        trading_windows=draw(mostly((), tuple(draw(st.lists(st.sampled_from(WINDOWS), min_size=1, max_size=2,
                                                            unique=True))))),
        min_confidence=draw(money("0", "0.5")),
        max_signal_age_seconds=draw(st.integers(30, 3600)),
        duplicate_window_seconds=draw(st.integers(0, 600)),
        position_size_pct=draw(st.one_of(money("0.1", "1"), money("1", "20"))),
        size_multiplier=draw(st.sampled_from([D(1), D(5), D(10)])),
        max_position_usd=draw(st.sampled_from([D("500"), D("5000"), D("20000"), D("1000000"), D("1000000")])),
        min_position_usd=draw(money("0", "50")),
        leverage=leverage,
        max_leverage=max(1, min(125, leverage + draw(st.integers(-3, 50)))),
        max_exposure_pct=draw(money("10", "200")),
        max_concurrent_positions=draw(st.integers(1, 12)),
        max_positions_per_symbol=draw(st.integers(1, 2)),
        max_daily_trades=draw(st.integers(1, 20)),
        max_daily_loss_pct=draw(money("0.1", "20")),
        max_orders_per_minute=draw(st.integers(1, 20)),
        hedge_mode=draw(st.booleans()),
    )  # fmt: skip


def sized(notional: D, price: D) -> D:
    return max((notional / price).quantize(D("0.00000001")), D("0.00000001"))


@st.composite
def books(draw: st.DrawFn, limits: Limits) -> Book:
    """Positions and reservations sized as fractions of equity, and counts near the limits."""
    keys = draw(st.lists(st.tuples(st.sampled_from(SYMBOLS), st.sampled_from(SIDES)), max_size=4, unique=True))
    rows = []
    for symbol, side in keys:
        entry = draw(money("1", "30000"))
        mark = entry * draw(fraction("0.8", "1.2"))
        rows.append((symbol, side, sized(START * draw(fraction("0", "0.15")), entry), entry, mark))
    realized = draw(money("-5000", "5000"))
    unrealized = sum(((mark - entry) * qty * (1 if side == "LONG" else -1) for _, side, qty, entry, mark in rows), D(0))
    equity = START + realized + unrealized
    start_of_day = equity + draw(st.sampled_from([D("0"), D("0"), draw(money("-3000", "10000"))]))  # today's loss
    reserved = []
    for _ in range(draw(st.integers(0, 2))):
        price = draw(money("1", "30000"))
        reserved.append(Holding(draw(st.sampled_from(SYMBOLS)), draw(st.sampled_from(SIDES)),
                                sized(START * draw(fraction("0", "0.1")), price), price))  # fmt: skip
    return Book(
        equity=equity,
        start_of_day_equity=start_of_day,
        loss_baseline_equity=draw(st.sampled_from([start_of_day, equity])),
        open=tuple(Holding(s, side, qty, mark) for s, side, qty, _, mark in rows),
        reserved=tuple(reserved),
        entries_today=max(0, limits.max_daily_trades - draw(ROOM)),
        orders_last_minute=max(0, limits.max_orders_per_minute - draw(ROOM)),
        duplicates_in_window=draw(mostly(0, 1)),
        mode=draw(mostly("active", draw(st.sampled_from(["reduce_only", "halted"])))),
        breaker_tripped=draw(mostly(False, True)),
    )


moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(timezone.utc)
)


@st.composite
def candidates(draw: st.DrawFn, now: datetime) -> Candidate:
    symbol = draw(st.sampled_from(SYMBOLS))
    side = draw(st.sampled_from(["BUY", "SELL"]))
    price = draw(money("1", "30000"))
    intent = TradeIntent(symbol=symbol, side=side, position_side="LONG" if side == "BUY" else "SHORT",
                         quantity=sized(START * draw(mostly(draw(fraction("0.0005", "0.03")),
                                                                    draw(fraction("0", "0.3")))), price),
                         price=price,
                         reduce_only=draw(mostly(False, True)))  # fmt: skip
    return Candidate(
        strategy="s",
        symbol=symbol,
        confidence=draw(money("0.3", "1")),
        signal_time=now - timedelta(seconds=draw(mostly(5, 4000))),
        intent=intent,
    )


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Limits, Book, datetime]:
    limits = draw(limits_strategy())
    return limits, draw(books(limits)), draw(moments)


def key(symbol: str, side: str, hedge: bool) -> tuple[str, str]:
    return (symbol, side if hedge else "")


def breaches(c: Candidate, limits: Limits, book: Book, now: datetime) -> list[str]:
    """Every limit the book would break with this entry, computed without the rules."""
    trade = c.trade
    assert trade is not None
    holdings = list(book.open) + list(book.reserved)
    notional = trade.quantity * trade.price
    keys = {key(h.symbol, h.side, limits.hedge_mode) for h in holdings} | {key(c.symbol, trade.position_side,
                                                                             limits.hedge_mode)}  # fmt: skip
    loss_limit = limits.max_daily_loss_pct / HUNDRED * book.start_of_day_equity
    allowance = max(book.equity * limits.position_size_pct / HUNDRED * limits.size_multiplier, limits.min_position_usd)
    checks = {
        "mode": book.mode == "active",
        "breaker": not book.breaker_tripped and book.equity - book.loss_baseline_equity > -loss_limit,
        "enabled": limits.enabled,
        "side": limits.enable_longs if trade.position_side == "LONG" else limits.enable_shorts,
        "symbol": not limits.allowed_symbols or c.symbol in limits.allowed_symbols,
        "window": trading_windows_allow(list(limits.trading_windows), now),
        "confidence": c.confidence >= limits.min_confidence,
        "age": (now - c.signal_time).total_seconds() <= limits.max_signal_age_seconds,
        "duplicate": limits.duplicate_window_seconds == 0 or book.duplicates_in_window == 0,
        "size": limits.min_position_usd <= notional <= min(limits.max_position_usd, allowance),
        "leverage": limits.leverage <= limits.max_leverage,
        "exposure": sum((abs(h.quantity * h.price) for h in holdings), D(0)) + notional
        <= book.equity * limits.max_exposure_pct / HUNDRED,
        "concurrent": len(keys) <= limits.max_concurrent_positions,
        "per_symbol": len({k for k in keys if k[0] == c.symbol}) <= limits.max_positions_per_symbol,
        "daily_trades": book.entries_today + 1 <= limits.max_daily_trades,
        "order_rate": book.orders_last_minute + 1 <= limits.max_orders_per_minute,
    }
    return [name for name, fine in checks.items() if not fine]


@PROPERTY
@given(data=st.data(), scenario=scenarios())
def test_an_approved_entry_breaches_no_limit(data: st.DataObject, scenario: tuple[Limits, Book, datetime]) -> None:
    limits, book, now = scenario
    candidate = data.draw(candidates(now))
    verdicts = rules_evaluate(candidate, limits, book, now)
    failed = first_failure(verdicts)
    if candidate.reduce_only:
        assert failed is None  # exits always pass, whatever the limits, mode or breaker
        return
    expected = breaches(candidate, limits, book, now)
    assert (failed is None) == (not expected), (expected, [v for v in verdicts if not v.passed])
    assert all(v.code in REASON_CODES for v in verdicts if not v.passed)


@PROPERTY
@given(data=st.data(), scenario=scenarios())
def test_a_burst_of_approvals_never_adds_up_past_a_limit(
    data: st.DataObject, scenario: tuple[Limits, Book, datetime]
) -> None:
    """Each approval becomes a reservation in the next decision's book, as the gate records it."""
    limits, book, now = scenario
    # Tight limits just above the book as it is, so a burst runs into them.
    current_pct = (book.exposure / book.equity * HUNDRED).quantize(D("0.0001"), rounding=ROUND_UP)
    limits = dataclasses.replace(
        limits,
        max_daily_trades=book.entries_today + data.draw(st.integers(1, 3)),
        max_orders_per_minute=book.orders_last_minute + data.draw(st.integers(1, 4)),
        max_concurrent_positions=max(1, len(book.position_keys(hedge=limits.hedge_mode))
                                     + data.draw(st.integers(0, 2))),
        max_exposure_pct=current_pct + data.draw(money("0", "8")),
    )
    for _ in range(data.draw(st.integers(1, 8))):
        candidate = data.draw(candidates(now))
        if candidate.reduce_only or first_failure(rules_evaluate(candidate, limits, book, now)) is not None:
            continue
        trade = candidate.trade
        assert trade is not None
        book = dataclasses.replace(
            book,
            reserved=(*book.reserved, Holding(trade.symbol, trade.position_side, trade.quantity, trade.price)),
            entries_today=book.entries_today + 1,
            orders_last_minute=book.orders_last_minute + 1,
        )
    # The book started within these limits; whatever was approved kept it there.
    assert book.entries_today <= limits.max_daily_trades
    assert book.orders_last_minute <= limits.max_orders_per_minute
    assert book.exposure <= book.equity * limits.max_exposure_pct / HUNDRED
    assert len(book.position_keys(hedge=limits.hedge_mode)) <= limits.max_concurrent_positions


def test_the_generators_reach_approvals_and_the_limit_refusals() -> None:
    """The properties above are not vacuous: entries get approved, and each book limit refuses some."""
    now = datetime(2026, 3, 4, 12, 0, tzinfo=timezone.utc)
    examples = st.tuples(scenarios(), candidates(now))

    def codes(example: tuple[tuple[Limits, Book, datetime], Candidate]) -> set[str]:
        (limits, book, _), candidate = example
        if candidate.reduce_only:
            return set()
        verdicts = rules_evaluate(candidate, limits, book, now)
        return {v.code for v in verdicts if not v.passed} or {"approved"}

    wanted = ("approved", "exposure_limit_exceeded", "max_concurrent_positions_reached",
              "max_positions_per_symbol_reached", "max_daily_trades_reached", "order_rate_limited",
              "daily_loss_breaker", "position_size_above_pct_of_equity")  # fmt: skip
    search = settings(max_examples=3000, phases=[Phase.generate], database=None, deadline=None)  # no shrinking
    for code in wanted:
        example = find(examples, lambda e, code=code: code in codes(e), settings=search)
        assert code in codes(example)


def test_a_failed_sizing_is_recorded_and_the_trade_rules_are_skipped() -> None:
    now = datetime(2026, 3, 4, 12, 0, tzinfo=timezone.utc)
    candidate = Candidate("s", "BTCUSDT", D("0.9"), now, SizingFailure("no_price", "no price for BTCUSDT"))
    book = Book(equity=START, start_of_day_equity=START, loss_baseline_equity=START)
    limits = Limits(
        enabled=True, enable_longs=True, enable_shorts=True, allowed_symbols=frozenset(), trading_windows=(),
        min_confidence=D("0.6"), max_signal_age_seconds=300, duplicate_window_seconds=60, position_size_pct=D("2"),
        size_multiplier=D("1"), max_position_usd=D("10000"), min_position_usd=D("10"), leverage=1, max_leverage=20,
        max_exposure_pct=D("80"), max_concurrent_positions=10, max_positions_per_symbol=1, max_daily_trades=100,
        max_daily_loss_pct=D("5"), max_orders_per_minute=60, hedge_mode=False,
    )  # fmt: skip
    verdicts = rules_evaluate(candidate, limits, book, now)
    failed = first_failure(verdicts)
    assert failed is not None and failed.code == "no_price"
    assert [v.rule for v in verdicts if not v.passed] == ["sizing"]
    assert {v.rule for v in verdicts if v.code == "skipped"} == {
        "side_enabled", "position_size", "leverage", "max_portfolio_exposure", "max_concurrent_positions",
        "max_positions_per_symbol", "max_daily_trades", "order_rate",
    }  # fmt: skip
