"""What each Binance error code means for us, decided once, here.

* -1003 / HTTP 429 (request weight): wait ``Retry-After`` (bounded by
  BINANCE_MAX_BACKOFF_SECONDS) and resend; nothing was processed.
* HTTP 418 (IP banned): ``ExchangeRateLimited`` at once; a ban is never waited out in a worker.
* -1021 (timestamp outside recvWindow): resync the clock offset from /time, resend once.
* -1000/-1001/-1006/-1007, 5xx, timeout, connection lost (outcome unknown): reads are
  retried; order calls look the order up once by client id and otherwise raise
  ``ExchangeOutcomeUnknown``. They are never resent.
* -2010 "Duplicate order sent." / -4116: our client id is already there: the first send
  worked, the order is looked up and returned.
* -2010 (other), -2018, -2019 (balance, margin): ``ExchangeRejected``.
* -1013, -1111, -4003..-4005, -4014, -4023, -4164 (filters, precision, min notional):
  ``ExchangeRejected``; we snap first, so one of these is a bug worth an alert.
* -2011 on cancel (not open or unknown): looked up; a closed order is returned as it
  is, an unknown one raises ``OrderNotFound``.
* -2013 (no such order): ``OrderNotFound``.
* -4028 (invalid leverage), -4161 (no leverage reduction with an isolated position),
  -4047/-4048 (no margin-type change with orders / a position): the leverage manager
  records the refusal and trading goes on at the actual setting.
* -4046, -4059 (margin type / position mode already so): success.
* -4061 (positionSide does not match the account's mode): re-read the mode, resend once.
* -4120 (conditional type sent to /fapi/v1/order): resend through /fapi/v1/algoOrder.
"""

from __future__ import annotations

from binance.exceptions import BinanceAPIException

from execution_app.exchange.base import ExchangeRejected

UNKNOWN_OUTCOME_CODES = frozenset({-1000, -1001, -1006, -1007})
DUPLICATE_CODES = frozenset({-4116})
DUPLICATE_MESSAGE = "Duplicate order sent."
NO_SUCH_ORDER = -2013
CANCEL_REJECTED = -2011
TIMESTAMP_OUTSIDE_WINDOW = -1021
TOO_MANY_REQUESTS = -1003
NO_NEED_TO_CHANGE = frozenset({-4046, -4059})
POSITION_SIDE_MISMATCH = -4061
USE_ALGO_ENDPOINT = -4120

REASONS: dict[int, str] = {
    -1013: "filter_failure",
    -1100: "illegal_characters",
    -1102: "mandatory_parameter_missing",
    -1106: "parameter_not_required",
    -1111: "bad_precision",
    -1115: "invalid_time_in_force",
    -1116: "invalid_order_type",
    -1117: "invalid_side",
    -1121: "unknown_symbol",
    -1022: "invalid_signature",
    -2010: "new_order_rejected",
    -2014: "invalid_api_key",
    -2015: "invalid_api_key",
    -2018: "insufficient_balance",
    -2019: "insufficient_margin",
    -2021: "would_immediately_trigger",
    -2022: "reduce_only_rejected",
    -4003: "quantity_too_small",
    -4004: "quantity_too_small",
    -4005: "quantity_too_large",
    -4014: "price_not_on_tick",
    -4023: "quantity_not_on_step",
    -4028: "invalid_leverage",
    -4047: "margin_type_locked_by_open_orders",
    -4048: "margin_type_locked_by_position",
    -4061: "position_side_mismatch",
    -4067: "position_mode_locked_by_open_orders",
    -4068: "position_mode_locked_by_position",
    -4131: "percent_price",
    -4136: "close_position_rejected",
    -4137: "close_position_rejected",
    -4138: "close_position_rejected",
    -4161: "leverage_reduction_locked_by_position",
    -4164: "min_notional",
    -5021: "fok_rejected",
    -5022: "post_only_rejected",
}

_REJECTED_2010: tuple[tuple[str, str], ...] = (
    ("insufficient balance", "insufficient_balance"),
    ("would trigger immediately", "would_immediately_trigger"),
    ("would immediately match", "post_only_rejected"),
    ("market is closed", "market_closed"),
)


class ExchangeRateLimited(ExchangeRejected):
    """Refused for request weight (429) or an IP ban (418): nothing was processed.
    ``retry_after`` is Binance's Retry-After in seconds."""

    def __init__(self, *, code: int, message: str, retry_after: float, banned: bool) -> None:
        super().__init__(code=code, message=message, reason="ip_banned" if banned else "rate_limited")
        self.retry_after = retry_after
        self.banned = banned


def is_duplicate(exc: BinanceAPIException) -> bool:
    return exc.code in DUPLICATE_CODES or (exc.code == -2010 and DUPLICATE_MESSAGE.lower() in exc.message.lower())


def is_rate_limited(exc: BinanceAPIException) -> bool:
    return exc.status_code in (418, 429) or exc.code == TOO_MANY_REQUESTS


def is_unknown_outcome(exc: BinanceAPIException) -> bool:
    return exc.status_code >= 500 or exc.code in UNKNOWN_OUTCOME_CODES


def retry_after_seconds(exc: BinanceAPIException, default: float = 1.0) -> float:
    raw = exc.response.headers.get("Retry-After") if exc.response is not None else None
    try:
        return max(0.0, float(raw)) if raw is not None else default
    except ValueError:
        return default


def rejection(exc: BinanceAPIException) -> ExchangeRejected:
    """The ExchangeRejected for a business refusal, with a stable reason code."""
    reason = REASONS.get(exc.code, f"binance_{abs(exc.code)}")
    if exc.code == -2010:
        lowered = exc.message.lower()
        reason = next((name for text, name in _REJECTED_2010 if text in lowered), reason)
    return ExchangeRejected(code=exc.code, message=exc.message, reason=reason)
