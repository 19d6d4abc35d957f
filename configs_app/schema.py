"""The trading parameters: what each one is, its default and its bounds.

The order path reads parameters only through configs_app.services.config_resolve,
so a value here is exactly what the risk gate and execution see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str  # "decimal", "integer", "boolean", "choice", "weights"
    default: Any
    description: str
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    choices: tuple[str, ...] = field(default=())

    def clean(self, value: Any) -> Any:
        """Return the value in its canonical type, or raise ValueError naming the valid range."""
        if self.type == "boolean":
            if isinstance(value, bool):
                return value
            raise ValueError(f"{self.name} must be true or false")
        if self.type == "choice":
            if value in self.choices:
                return value
            raise ValueError(f"{self.name} must be one of {', '.join(self.choices)}")
        if self.type == "weights":
            return self._clean_weights(value)
        if isinstance(value, bool):
            raise ValueError(f"{self.name} must be a number")
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError) as exc:
            raise ValueError(f"{self.name} must be a number") from exc
        if not number.is_finite():
            raise ValueError(f"{self.name} must be a finite number")
        if self.type == "integer" and number != number.to_integral_value():
            raise ValueError(f"{self.name} must be a whole number")
        if (self.minimum is not None and number < self.minimum) or (
            self.maximum is not None and number > self.maximum
        ):
            raise ValueError(f"{self.name} must be between {self.minimum} and {self.maximum}")
        return int(number) if self.type == "integer" else number

    def _clean_weights(self, value: Any) -> dict[str, Decimal]:
        if not isinstance(value, dict):
            raise ValueError(f"{self.name} must be an object of name -> weight")
        clean: dict[str, Decimal] = {}
        for key, raw in value.items():
            try:
                weight = Decimal(str(raw))
            except (InvalidOperation, ValueError):
                raise ValueError(f"{self.name}[{key}] must be a number") from None
            if not weight.is_finite() or not Decimal("0") <= weight <= Decimal("10"):
                raise ValueError(f"{self.name}[{key}] must be between 0 and 10")
            clean[str(key)] = weight
        return clean

    def to_json(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {key: str(weight) for key, weight in value.items()}
        return str(value) if isinstance(value, Decimal) else value


PARAMETERS: dict[str, Parameter] = {
    p.name: p
    for p in [
        Parameter(
            "enabled",
            "boolean",
            True,
            "Master switch for new trades in this scope. Off: new entries are rejected; closes still run.",
        ),
        Parameter(
            "min_confidence_threshold",
            "decimal",
            Decimal("0.6"),
            "Signals with a lower confidence are rejected by the risk gate.",
            Decimal("0"),
            Decimal("1"),
        ),
        Parameter(
            "position_size_pct",
            "decimal",
            Decimal("0.02"),
            "Fraction of equity one entry may use before confidence scaling (0.02 = 2 %).",
            Decimal("0.0001"),
            Decimal("1"),
        ),
        Parameter(
            "max_position_size_usd",
            "decimal",
            Decimal("10000"),
            "Upper bound on one order's notional in quote currency.",
            Decimal("1"),
            Decimal("100000000"),
        ),
        Parameter(
            "min_position_size_usd",
            "decimal",
            Decimal("10"),
            "Orders below this notional are raised to it (and to the exchange minimum).",
            Decimal("0"),
            Decimal("1000000"),
        ),
        Parameter(
            "signal_conflict_resolution",
            "choice",
            "strongest_wins",
            "How opposing signals on one symbol are resolved: strongest_wins (the higher strength executes, the "
            "weaker is rejected or superseded), first_come_first_served (the later one is rejected), "
            "weighted_average (the strength-weighted vote decides buy, sell or hold, ±0.3 thresholds), "
            "manual_review (the later one waits for an operator), accumulate (as strongest_wins for opposing "
            "signals; same-direction signals add up to max_accumulations).",
            choices=("strongest_wins", "first_come_first_served", "weighted_average", "manual_review", "accumulate"),
        ),
        Parameter(
            "timeframe_conflict_resolution",
            "choice",
            "higher_timeframe_wins",
            "Between opposing signals of different timeframes: higher_timeframe_wins, lower_timeframe_wins, or "
            "weighted_average (strength is multiplied by timeframe_weights).",
            choices=("higher_timeframe_wins", "lower_timeframe_wins", "weighted_average"),
        ),
        Parameter(
            "strategy_weights",
            "weights",
            {},
            "Weight per strategy name (0-10) in signal strength; a strategy not listed uses its own weight.",
        ),
        Parameter(
            "timeframe_weights",
            "weights",
            {},
            "Weight per timeframe (e.g. {\"1h\": 1.2}) used by timeframe_conflict_resolution=weighted_average; "
            "unlisted timeframes weigh 1.",
        ),
        Parameter(
            "position_mode",
            "choice",
            "one_way",
            "one_way: a buy and a sell on one symbol are opposing signals. hedge: LONG and SHORT are separate "
            "positions, so a buy and a sell are not a conflict.",
            choices=("one_way", "hedge"),
        ),
        Parameter(
            "max_accumulations",
            "integer",
            3,
            "With signal_conflict_resolution=accumulate: how many active same-direction signals may add to a "
            "position before further ones are rejected.",
            Decimal("1"),
            Decimal("100"),
        ),
        Parameter(
            "review_max_age_seconds",
            "integer",
            900,
            "A signal waiting for manual review longer than this expires, and cannot be approved any more.",
            Decimal("10"),
            Decimal("86400"),
        ),
        Parameter(
            "review_max_price_drift_pct",
            "decimal",
            Decimal("0.01"),
            "Approval is refused when the price moved more than this fraction (0.01 = 1 %) since the signal.",
            Decimal("0"),
            Decimal("1"),
        ),
        Parameter(
            "max_signal_age_seconds",
            "integer",
            300,
            "Signals older than this when they are decided are rejected as stale.",
            Decimal("1"),
            Decimal("86400"),
        ),
    ]
}


def defaults() -> dict[str, Any]:
    return {name: parameter.default for name, parameter in PARAMETERS.items()}


def parameters_clean(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Validate a partial parameter dict; return (clean values, errors by name)."""
    clean: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        parameter = PARAMETERS.get(name)
        if parameter is None:
            errors[name] = [f"Unknown parameter {name!r}; see /api/v1/config/trading/schema"]
            continue
        try:
            clean[name] = parameter.clean(value)
        except ValueError as exc:
            errors[name] = [str(exc)]
    return clean, errors
