"""The error code and message Binance answers a filter failure with, per market."""

from __future__ import annotations

from execution_app.exchange.filters.checks import FilterViolation
from execution_app.exchange.filters.rules import SymbolRules
from execution_app.exchange.filters.snapping import decimal_to_wire

# Spot: every filter failure is -1013 with "Filter failure: <NAME>" (errors.md).
FILTER_ERROR_CODE = -1013

# USD-M futures answers with a code per rule (usds-margined error-code page;
# binance.md 3.3). For -4016/-4024 the docs give "Price is higher than mark
# price multiplier cap." but live responses carry the text below, e.g.
# "Limit price can't be higher than 0.7720058.", so we answer like live.
# -4164's %s is the symbol's MIN_NOTIONAL ("... no smaller than 100 ...").
_USDM_ERRORS: dict[tuple[str, str], tuple[int, str]] = {
    ("price", "not_positive"): (-4001, "Price less than 0."),
    ("price", "below_min"): (-4013, "Price less than min price."),
    ("price", "above_max"): (-4002, "Price greater than max price."),
    ("price", "off_step"): (-4014, "Price not increased by tick size."),
    ("stopPrice", "not_positive"): (-4006, "Stop price less than zero."),
    # no dedicated "stop price below min price" code is documented; -4013 is closest
    ("stopPrice", "below_min"): (-4013, "Price less than min price."),
    ("stopPrice", "above_max"): (-4007, "Stop price greater than max price."),
    ("stopPrice", "off_step"): (-4014, "Price not increased by tick size."),
    ("quantity", "not_positive"): (-4003, "Quantity less than zero."),
    ("quantity", "below_min"): (-4004, "Quantity less than min quantity."),
    ("quantity", "above_max"): (-4005, "Quantity greater than max quantity."),
    ("quantity", "off_step"): (-4023, "Qty not increased by step size."),
    ("notional", "below_min"): (
        -4164,
        "Order's notional must be no smaller than %s (unless you choose reduce only)",
    ),
    ("price", "above_band"): (-4016, "Limit price can't be higher than %s."),
    ("price", "below_band"): (-4024, "Limit price can't be lower than %s."),
    ("price", "above_stop_band"): (-4183, "Limit price can't be higher than %s."),
    ("price", "below_stop_band"): (-4184, "Limit price can't be lower than %s."),
}


def violation_error(rules: SymbolRules, violation: FilterViolation) -> tuple[int, str]:
    """The (code, msg) Binance returns for this violation on ``rules.market``."""
    if rules.market == "spot":
        return FILTER_ERROR_CODE, violation.message
    code, template = _USDM_ERRORS.get(
        (violation.field, violation.rule), (FILTER_ERROR_CODE, violation.message)
    )
    if "%s" in template and violation.bound is not None:
        template = template.replace("%s", decimal_to_wire(violation.bound))
    return code, template
