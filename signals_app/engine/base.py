"""What a built-in strategy is: parameters it declares, and one pure step."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

CONFIDENCE_PLACES = Decimal("0.00001")  # the Signal.confidence column's precision
SIGNAL_ACTIONS = ("buy", "sell", "hold", "close")


@dataclass(frozen=True)
class MarketEvent:
    """One symbol's price at one instant, as a tick delivers it."""

    symbol: str
    price: Decimal
    at: datetime


@dataclass(frozen=True)
class SignalIntent:
    """What a strategy may ask for: a signal. There is no other output, so a
    strategy has no way to size, place or cancel an order."""

    action: str
    confidence: Decimal
    rationale: str = ""
    indicators: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.action not in SIGNAL_ACTIONS:
            raise ValueError(f"a strategy signal's action is one of {SIGNAL_ACTIONS}, not {self.action!r}")
        if not (isinstance(self.confidence, Decimal) and Decimal("0") <= self.confidence <= Decimal("1")):
            raise ValueError(f"a strategy signal's confidence is a Decimal in [0, 1], not {self.confidence!r}")


@dataclass(frozen=True)
class Outcome:
    """The result of one step: signals to send and the state to keep."""

    signals: tuple[SignalIntent, ...]
    state: dict[str, Any]
    indicators: dict[str, str] = field(default_factory=dict)  # shown in GET /strategies and the admin


@dataclass(frozen=True)
class ParameterSpec:
    name: str
    type: type  # int or Decimal
    default: int | Decimal
    minimum: int | Decimal
    maximum: int | Decimal
    description: str

    def clean(self, value: Any) -> int | Decimal:
        """The value in its canonical type, or ValueError naming the bounds."""
        if isinstance(value, bool):
            raise ValueError(f"{self.name} must be a number")
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            raise ValueError(f"{self.name} must be a number") from None
        if not number.is_finite():
            raise ValueError(f"{self.name} must be a finite number")
        if self.type is int and number != number.to_integral_value():
            raise ValueError(f"{self.name} must be a whole number")
        if not Decimal(self.minimum) <= number <= Decimal(self.maximum):
            raise ValueError(f"{self.name} must be between {self.minimum} and {self.maximum}")
        return int(number) if self.type is int else number


def quantize_confidence(value: Decimal) -> Decimal:
    return min(max(value, Decimal("0")), Decimal("1")).quantize(CONFIDENCE_PLACES, rounding=ROUND_HALF_EVEN)


class StrategyKind(ABC):
    """A kind of built-in strategy. Instances hold no data between ticks:
    everything a step needs arrives as arguments and leaves in the Outcome."""

    kind: str
    label: str
    parameters: tuple[ParameterSpec, ...]

    def defaults(self) -> dict[str, int | Decimal]:
        return {spec.name: spec.default for spec in self.parameters}

    def clean_parameters(self, raw: Mapping[str, Any]) -> dict[str, int | Decimal]:
        """Every declared parameter, typed and within bounds (defaults fill gaps).
        Raises ValueError with a message per bad parameter."""
        unknown = sorted(set(raw) - {spec.name for spec in self.parameters})
        if unknown:
            raise ValueError(f"unknown parameters for {self.kind}: {', '.join(unknown)}")
        cleaned = {spec.name: spec.clean(raw.get(spec.name, spec.default)) for spec in self.parameters}
        self.check_parameters(cleaned)
        return cleaned

    def check_parameters(self, params: Mapping[str, int | Decimal]) -> None:
        """Rules across parameters; raise ValueError to refuse."""

    def required_symbols(self, configured: list[str]) -> list[str]:
        """The symbols whose market events this strategy needs."""
        return sorted(set(configured))

    @abstractmethod
    def process(self, *, event: MarketEvent, state: Mapping[str, Any], params: Mapping[str, Any]) -> Outcome:
        """One step: pure, deterministic, no I/O."""


def parameters_as_json(params: Mapping[str, int | Decimal]) -> dict[str, int | str]:
    """Parameters for a JSON column: integers stay numbers, decimals become exact strings."""
    return {name: value if isinstance(value, int) else format(value, "f") for name, value in params.items()}


def elapsed_seconds(since: str | None, now: datetime) -> float | None:
    if not since:
        return None
    return (now - datetime.fromisoformat(since)).total_seconds()
