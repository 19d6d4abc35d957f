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
    type: str  # "decimal", "integer", "boolean", "choice"
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

    def to_json(self, value: Any) -> Any:
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
