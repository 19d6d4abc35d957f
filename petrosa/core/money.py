"""Decimal helpers for money and quantities."""

from __future__ import annotations

from decimal import Decimal


def decimal_str(value: Decimal | None) -> str | None:
    """Plain positional text without trailing zeros: Decimal("65000.000000000000")
    → "65000", Decimal("1E-8") → "0.00000001". Never scientific notation, never float."""
    if value is None:
        return None
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
