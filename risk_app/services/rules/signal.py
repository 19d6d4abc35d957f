"""Rules about the signal itself: switches, symbol, time, quality and repetition."""

from __future__ import annotations

from datetime import datetime

from configs_app.windows import trading_windows_allow
from risk_app.intent import TradeIntent
from risk_app.services.rules.facts import Book, Candidate, Limits
from risk_app.services.rules.verdict import Verdict, ok, refuse


def enabled(candidate: Candidate, limits: Limits, book: Book, now: datetime) -> Verdict:
    if limits.enabled:
        return ok("enabled", "trading enabled for this scope")
    return refuse("enabled", "trading_disabled", "enabled=false in the trading config")


def side_enabled(trade: TradeIntent, candidate: Candidate, limits: Limits, book: Book, now: datetime) -> Verdict:
    if trade.position_side == "LONG" and not limits.enable_longs:
        return refuse("side_enabled", "longs_disabled", "enable_longs=false: no new LONG entries")
    if trade.position_side == "SHORT" and not limits.enable_shorts:
        return refuse("side_enabled", "shorts_disabled", "enable_shorts=false: no new SHORT entries")
    return ok("side_enabled", f"{trade.position_side} entries are enabled")


def allowed_symbols(candidate: Candidate, limits: Limits, book: Book, now: datetime) -> Verdict:
    if not limits.allowed_symbols:
        return ok("allowed_symbols", "no allow-list: every symbol is allowed")
    if candidate.symbol in limits.allowed_symbols:
        return ok("allowed_symbols", f"{candidate.symbol} is on the allow-list")
    listed = ", ".join(sorted(limits.allowed_symbols))
    return refuse("allowed_symbols", "symbol_not_allowed", f"{candidate.symbol} is not in allowed_symbols ({listed})")


def trading_window(candidate: Candidate, limits: Limits, book: Book, now: datetime) -> Verdict:
    if not limits.trading_windows:
        return ok("trading_window", "no trading windows: 24/7")
    windows = ", ".join(limits.trading_windows)
    if trading_windows_allow(list(limits.trading_windows), now):
        return ok("trading_window", f"{now:%a %H:%M} UTC is inside {windows}")
    return refuse("trading_window", "outside_trading_window", f"{now:%a %H:%M} UTC is outside {windows}")


def min_confidence(candidate: Candidate, limits: Limits, book: Book, now: datetime) -> Verdict:
    """Judged on the confidence after the processing mode (ml_light blends in model_confidence)."""
    confidence, threshold = candidate.confidence, limits.min_confidence
    if confidence >= threshold:
        return ok("min_confidence", f"confidence {confidence} >= {threshold}")
    return refuse("min_confidence", "confidence_below_threshold", f"confidence {confidence} < {threshold}")


def max_signal_age(candidate: Candidate, limits: Limits, book: Book, now: datetime) -> Verdict:
    limit = limits.max_signal_age_seconds
    age = (now - candidate.signal_time).total_seconds()
    if age <= limit:
        return ok("max_signal_age", f"age {age:.1f}s <= {limit}s")
    return refuse("max_signal_age", "signal_too_old", f"age {age:.1f}s > {limit}s")


def duplicate_signal(candidate: Candidate, limits: Limits, book: Book, now: datetime) -> Verdict:
    window = limits.duplicate_window_seconds
    if window == 0:
        return ok("duplicate_signal", "duplicate_signal_window_seconds=0: not checked")
    if book.duplicates_in_window == 0:
        return ok("duplicate_signal", f"no approved entry of this strategy, symbol and side in the last {window}s")
    return refuse(
        "duplicate_signal",
        "duplicate_signal",
        f"{book.duplicates_in_window} approved entry of {candidate.strategy} on {candidate.symbol} in the same "
        f"direction in the last {window}s",
    )
