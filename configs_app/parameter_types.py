"""What a trading parameter is and how a raw value becomes its canonical type.

A value that cannot be used raises ParameterError with one of four stable codes
(the seed 004 validator's codes), so API clients and LLM agents can branch on
them: UNKNOWN_PARAMETER, INVALID_TYPE, OUT_OF_RANGE, INVALID_VALUE.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from configs_app.windows import trading_window_parse

UNKNOWN_PARAMETER = "UNKNOWN_PARAMETER"
INVALID_TYPE = "INVALID_TYPE"
OUT_OF_RANGE = "OUT_OF_RANGE"
INVALID_VALUE = "INVALID_VALUE"

SYMBOL_PATTERN = re.compile(r"^[A-Z0-9]{2,20}$")
WEIGHT_MAX = Decimal("10")
LIST_MAX = 500


class ParameterError(ValueError):
    def __init__(self, code: str, message: str, valid: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.valid = valid or {}

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "valid": self.valid}


@dataclass(frozen=True)
class Parameter:
    """One trading parameter, documented in seed 004's shape.

    type is the value's JSON shape: integer, decimal, boolean, choice,
    weights (object name -> number 0-10), symbols (list of symbols) or
    windows (list of "HH:MM-HH:MM" UTC ranges).
    """

    name: str
    category: str
    type: str
    default: Any
    description: str
    impact: str
    when_to_change: str
    example: Any
    unit: str = ""
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    choices: tuple[str, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)  # accepted input spelling -> canonical choice
    nullable: bool = False
    seed: bool = True  # one of the 31 parameters of seed 004 (False: added for the risk gate and review)

    def clean(self, value: Any) -> Any:
        """The value in its canonical Python type, or ParameterError naming the valid range."""
        if value is None:
            if self.nullable:
                return None
            raise ParameterError(INVALID_TYPE, f"{self.name} may not be null; {self.expects()}", self.valid())
        cleaner = getattr(self, f"_clean_{self.type}")
        return cleaner(value)

    def to_json(self, value: Any) -> Any:
        """How the value is stored and rendered: Decimals as strings, so no digit is lost."""
        if isinstance(value, Decimal):
            return format(value, "f")
        if isinstance(value, dict):
            return {key: format(weight, "f") for key, weight in value.items()}
        if isinstance(value, list):
            return list(value)
        return value

    def valid(self) -> dict[str, Any]:
        valid: dict[str, Any] = {"type": self.type}
        if self.minimum is not None:
            valid["min"] = format(self.minimum, "f")
        if self.maximum is not None:
            valid["max"] = format(self.maximum, "f")
        if self.choices:
            valid["allowed"] = list(self.choices)
        if self.nullable:
            valid["nullable"] = True
        return valid

    def expects(self) -> str:
        if self.type == "choice":
            return f"one of {', '.join(self.choices)}"
        if self.type == "boolean":
            return "true or false"
        if self.type == "weights":
            return "an object of name -> weight between 0 and 10"
        if self.type == "symbols":
            return 'a list of symbols like ["BTCUSDT"] (empty = every symbol)'
        if self.type == "windows":
            return 'a list of UTC windows like ["mon-fri 08:00-17:00"] (empty = 24/7)'
        kind = "a whole number" if self.type == "integer" else "a number"
        unit = " (percent, 0-100 scale)" if self.unit == "percent" else (f" ({self.unit})" if self.unit else "")
        return f"{kind} between {self.valid().get('min')} and {self.valid().get('max')}{unit}"

    # --- one cleaner per type -------------------------------------------------

    def _clean_boolean(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        raise ParameterError(INVALID_TYPE, f"{self.name} must be true or false; got {value!r}", self.valid())

    def _clean_choice(self, value: Any) -> str:
        if not isinstance(value, str):
            raise ParameterError(INVALID_TYPE, f"{self.name} must be a string, {self.expects()}", self.valid())
        value = self.aliases.get(value, value)
        if value not in self.choices:
            raise ParameterError(INVALID_VALUE, f"{self.name} must be {self.expects()}; got {value!r}", self.valid())
        return value

    def _clean_integer(self, value: Any) -> int:
        number = self._number(value)
        if number != number.to_integral_value():
            raise ParameterError(INVALID_TYPE, f"{self.name} must be {self.expects()}; got {value}", self.valid())
        return int(self._in_range(number, value))

    def _clean_decimal(self, value: Any) -> Decimal:
        return self._in_range(self._number(value), value)

    def _clean_weights(self, value: Any) -> dict[str, Decimal]:
        if not isinstance(value, dict):
            raise ParameterError(INVALID_TYPE, f"{self.name} must be {self.expects()}", self.valid())
        clean: dict[str, Decimal] = {}
        for key, raw in value.items():
            if isinstance(raw, bool):
                raise ParameterError(INVALID_TYPE, f"{self.name}[{key}] must be a number", self.valid())
            try:
                weight = Decimal(str(raw))
            except (InvalidOperation, ValueError):
                raise ParameterError(INVALID_TYPE, f"{self.name}[{key}] must be a number", self.valid()) from None
            if not weight.is_finite() or not Decimal("0") <= weight <= WEIGHT_MAX:
                raise ParameterError(OUT_OF_RANGE, f"{self.name}[{key}] must be between 0 and 10", self.valid())
            clean[str(key)] = weight
        return clean

    def _clean_symbols(self, value: Any) -> list[str]:
        items = self._list(value)
        clean: list[str] = []
        for item in items:
            symbol = item.strip().upper() if isinstance(item, str) else None
            if symbol is None or not SYMBOL_PATTERN.match(symbol):
                raise ParameterError(INVALID_VALUE, f"{self.name}: {item!r} is not a symbol like BTCUSDT", self.valid())
            if symbol not in clean:
                clean.append(symbol)
        return clean

    def _clean_windows(self, value: Any) -> list[str]:
        clean: list[str] = []
        for item in self._list(value):
            try:
                clean.append(trading_window_parse(item)[1])
            except ValueError as exc:
                raise ParameterError(INVALID_VALUE, f"{self.name}: {exc}", self.valid()) from None
        return clean

    # --- helpers -----------------------------------------------------------------

    def _list(self, value: Any) -> list[Any]:
        if not isinstance(value, (list, tuple)):
            raise ParameterError(INVALID_TYPE, f"{self.name} must be {self.expects()}", self.valid())
        if len(value) > LIST_MAX:
            raise ParameterError(OUT_OF_RANGE, f"{self.name} may hold at most {LIST_MAX} entries", self.valid())
        return list(value)

    def _number(self, value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
            raise ParameterError(INVALID_TYPE, f"{self.name} must be {self.expects()}; got {value!r}", self.valid())
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            raise ParameterError(
                INVALID_TYPE, f"{self.name} must be {self.expects()}; got {value!r}", self.valid()
            ) from None
        if not number.is_finite():
            raise ParameterError(INVALID_TYPE, f"{self.name} must be a finite number", self.valid())
        return number

    def _in_range(self, number: Decimal, raw: Any) -> Decimal:
        if (self.minimum is not None and number < self.minimum) or (self.maximum is not None and number > self.maximum):
            raise ParameterError(OUT_OF_RANGE, f"{self.name} must be {self.expects()}; got {raw}", self.valid())
        return number
