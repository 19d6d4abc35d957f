"""The trading parameters: what each one means, its default and its bounds.

The order path reads parameters only through configs_app.services.config_resolve,
so a value here is exactly what aggregation, the risk gate and execution see.

Unit convention: every ``*_pct`` parameter of the trading config is a percent
on a 0-100 scale (stop_loss_pct 2.0 means 2 %, position_size_pct 10 means
10 %), so seed 004's examples (position_size_pct 0.15, stop_loss_pct 1.5,
take_profit_pct 6.0) mean what they say. Readers divide by 100. Signals keep
seed 000's contract, where a signal's own position_size_pct / stop_loss_pct /
take_profit_pct are fractions (0.02 = 2 %).
"""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from configs_app.parameter_types import UNKNOWN_PARAMETER, Parameter, ParameterError

UNIT_CONVENTION = (
    "Every *_pct trading-config parameter is a percent on a 0-100 scale: stop_loss_pct 2.0 means 2 %, "
    "position_size_pct 10 means 10 % of equity. (A signal's own position_size_pct/stop_loss_pct/take_profit_pct "
    "stay fractions as in seed 000: 0.02 = 2 %.)"
)

CATEGORIES = {
    "order_execution": "Order execution",
    "position_sizing": "Position sizing",
    "risk_management": "Risk management",
    "signal_processing": "Signal processing",
    "strategy_weights": "Strategy weights",
    "advanced": "Advanced options",
}

# Positional fields: name, category, type, default, description, impact, when_to_change.
_PARAMETERS: list[Parameter] = [
    # --- Order execution --------------------------------------------------------
    Parameter(
        "leverage",
        "order_execution",
        "integer",
        10,
        "Leverage multiplier set on the futures symbol before an entry. Use 1-5x for conservative trading.",
        "Margin needed per position = notional / leverage; higher leverage means a closer liquidation price.",
        "Lower it in high volatility or unclear markets; raise it only in strong trends, never above max_leverage.",
        example=10,
        unit="x",
        minimum=D(1),
        maximum=D(125),
    ),
    Parameter(
        "margin_type",
        "order_execution",
        "choice",
        "isolated",
        "Futures margin mode: isolated (each position has its own margin) or cross (the whole balance backs it).",
        "Isolated caps the loss of one position at its margin; cross lets one position draw on the whole balance.",
        "Keep isolated unless you hedge positions against each other and understand the shared liquidation risk.",
        example="isolated",
        choices=("isolated", "cross"),
    ),
    Parameter(
        "default_order_type",
        "order_execution",
        "choice",
        "market",
        "Order type used for entries whose signal does not name one.",
        "market fills at once with slippage; limit types wait at a price and may not fill.",
        "Use limit in thin or volatile books where market slippage costs more than a missed fill.",
        example="market",
        choices=("market", "limit", "stop", "stop_limit", "take_profit", "take_profit_limit"),
    ),
    Parameter(
        "time_in_force",
        "order_execution",
        "choice",
        "GTC",
        "How long a resting (limit-type) order lives: GTC until cancelled, IOC fill-what-you-can, FOK all or "
        "nothing, GTX post-only.",
        "Decides whether unfilled limit orders stay on the book.",
        "Use IOC/FOK for signals that are only valid now; GTX to only ever pay maker fees.",
        example="GTC",
        choices=("GTC", "IOC", "FOK", "GTX"),
    ),
    Parameter(
        "position_mode",
        "order_execution",
        "choice",
        "one_way",
        "one_way: one net position per symbol, so a buy and a sell are opposing signals. hedge: LONG and SHORT are "
        "separate positions, so they are not a conflict. Input alias: one-way.",
        "Changes how conflicts are detected and which position side orders carry.",
        "Use hedge only when strategies deliberately hold both directions at once.",
        example="one_way",
        choices=("one_way", "hedge"),
        aliases={"one-way": "one_way"},
    ),
    # --- Position sizing --------------------------------------------------------
    Parameter(
        "position_size_pct",
        "position_sizing",
        "decimal",
        D("2"),
        "Percent of equity (0-100 scale) one entry may use, before confidence scaling, when the signal sends no "
        "size of its own.",
        "Directly scales every entry's notional; kept between min_position_size_usd and max_position_size_usd.",
        "Lower it after losses or in volatile markets; raise it for high-conviction symbols.",
        example=D("2"),
        unit="percent",
        minimum=D("0.01"),
        maximum=D("100"),
    ),
    Parameter(
        "max_position_size_usd",
        "position_sizing",
        "decimal",
        D("10000"),
        "Upper bound on one order's notional, in USD (quote currency).",
        "Caps the size of every entry whatever position_size_pct computes.",
        "Lower it while testing a new strategy or symbol; raise it as equity grows.",
        example=D("10000"),
        unit="USD",
        minimum=D("1"),
        maximum=D("100000000"),
    ),
    Parameter(
        "min_position_size_usd",
        "position_sizing",
        "decimal",
        D("10"),
        "Lower bound on one order's notional, in USD; smaller computed sizes are raised to it.",
        "Keeps orders above the exchange's MIN_NOTIONAL and avoids dust positions.",
        "Raise it when fees make tiny trades pointless.",
        example=D("10"),
        unit="USD",
        minimum=D("0"),
        maximum=D("1000000"),
    ),
    Parameter(
        "quantity_multiplier",
        "position_sizing",
        "decimal",
        D("1"),
        "Multiplies every computed entry quantity (after percent sizing, before the USD bounds and filters).",
        "A quick global size knob: 0.5 halves every entry.",
        "Lower it temporarily to de-risk without touching each scope's position_size_pct.",
        example=D("1"),
        unit="x",
        minimum=D("0.1"),
        maximum=D("10"),
    ),
    Parameter(
        "use_exchange_minimums",
        "position_sizing",
        "boolean",
        True,
        "Raise quantities to the exchange's minimum quantity and minimum notional (LOT_SIZE, MIN_NOTIONAL).",
        "When off, an order below the exchange minimum is refused instead of enlarged.",
        "Turn off if you never want the system to trade more than the computed size.",
        example=True,
    ),
    Parameter(
        "override_min_notional",
        "position_sizing",
        "decimal",
        None,
        "Use this minimum notional (USD) instead of the exchange's MIN_NOTIONAL. Empty: the exchange's value.",
        "Changes the smallest order the system will send.",
        "Set it when you want a floor above the exchange's, or to test sizing rules.",
        example=D("20"),
        unit="USD",
        minimum=D("0.01"),
        maximum=D("1000000"),
        nullable=True,
    ),
    Parameter(
        "override_min_qty",
        "position_sizing",
        "decimal",
        None,
        "Use this minimum quantity instead of the exchange's LOT_SIZE minQty. Empty: the exchange's value.",
        "Changes the smallest quantity an order may have.",
        "Rarely: when the exchange's filter is known to be stale.",
        example=D("0.001"),
        unit="base asset",
        minimum=D("0.00000001"),
        maximum=D("1000000000"),
        nullable=True,
    ),
    Parameter(
        "override_step_size",
        "position_sizing",
        "decimal",
        None,
        "Snap quantities to this step instead of the exchange's LOT_SIZE stepSize. Empty: the exchange's value.",
        "Changes how quantities are rounded down before they are sent.",
        "Rarely: to trade in coarser lots than the exchange allows.",
        example=D("0.001"),
        unit="base asset",
        minimum=D("0.00000001"),
        maximum=D("1000000"),
        nullable=True,
    ),
    # --- Risk management ------------------------------------------------------------
    Parameter(
        "stop_loss_pct",
        "risk_management",
        "decimal",
        D("2.0"),
        "Protective stop distance from the entry price, in percent (0-100 scale), for entries without their own "
        "stop loss.",
        "With risk_management_enabled, every such entry gets a stop-loss order this far away.",
        "Widen it for volatile symbols to avoid being stopped out by noise; tighten it in calm markets.",
        example=D("1.5"),
        unit="percent",
        minimum=D("0.1"),
        maximum=D("50"),
    ),
    Parameter(
        "take_profit_pct",
        "risk_management",
        "decimal",
        D("5.0"),
        "Take-profit distance from the entry price, in percent (0-100 scale), for entries without their own.",
        "With risk_management_enabled, every such entry gets a take-profit order this far away.",
        "Raise it in trends to let winners run; lower it in ranges.",
        example=D("6.0"),
        unit="percent",
        minimum=D("0.1"),
        maximum=D("100"),
    ),
    Parameter(
        "max_daily_loss_pct",
        "risk_management",
        "decimal",
        D("5"),
        "Daily-loss circuit breaker: when today's realized + unrealized loss reaches this percent of equity, the "
        "system goes reduce-only until an operator re-arms it.",
        "Stops new entries for the rest of the day after a bad run; closes still execute.",
        "Tighten it while a strategy is new or markets are disorderly.",
        example=D("3"),
        unit="percent",
        minimum=D("0.1"),
        maximum=D("100"),
    ),
    Parameter(
        "max_portfolio_exposure_pct",
        "risk_management",
        "decimal",
        D("80"),
        "Total open notional (all positions plus the new order) as a percent of equity. Above 100 allows "
        "leveraged exposure.",
        "Entries that would push exposure past it are rejected.",
        "Lower it to keep cash in reserve; raise past 100 only for deliberate leverage.",
        example=D("80"),
        unit="percent",
        minimum=D("1"),
        maximum=D("1000"),
    ),
    Parameter(
        "max_daily_trades",
        "risk_management",
        "integer",
        100,
        "How many entries may be approved per UTC day.",
        "Further entries that day are rejected; closes are not counted against it.",
        "Lower it to stop a misbehaving strategy from overtrading.",
        example=50,
        unit="trades",
        minimum=D(1),
        maximum=D(10000),
    ),
    Parameter(
        "max_concurrent_positions",
        "risk_management",
        "integer",
        10,
        "How many positions may be open at once across all symbols.",
        "An entry that would open one more position is rejected.",
        "Lower it to concentrate capital; raise it for diversified strategies.",
        example=5,
        unit="positions",
        minimum=D(1),
        maximum=D(1000),
    ),
    Parameter(
        "risk_management_enabled",
        "risk_management",
        "boolean",
        True,
        "Attach protective stop-loss / take-profit orders derived from stop_loss_pct / take_profit_pct to entries "
        "that carry none. The risk gate itself can never be switched off.",
        "Off: entries without their own stop/target run unprotected.",
        "Keep it on; switch off only for strategies that manage exits themselves.",
        example=True,
    ),
    # --- Signal processing ------------------------------------------------------
    Parameter(
        "signal_conflict_resolution",
        "signal_processing",
        "choice",
        "strongest_wins",
        "How opposing signals on one symbol are resolved: strongest_wins (the higher strength executes, the "
        "weaker is rejected or superseded), first_come_first_served (the later one is rejected), "
        "weighted_average (the strength-weighted vote decides buy, sell or hold, ±0.3 thresholds), "
        "manual_review (the later one waits for an operator), accumulate (as strongest_wins for opposing "
        "signals; same-direction signals add up to max_accumulations).",
        "Decides which of several strategies' signals reaches the risk gate.",
        "manual_review while trusting a new strategy; weighted_average when many strategies vote.",
        example="strongest_wins",
        choices=("strongest_wins", "first_come_first_served", "weighted_average", "manual_review", "accumulate"),
    ),
    Parameter(
        "timeframe_conflict_resolution",
        "signal_processing",
        "choice",
        "higher_timeframe_wins",
        "Between opposing signals of different timeframes: higher_timeframe_wins, lower_timeframe_wins, or "
        "weighted_average (strength is multiplied by timeframe_weights).",
        "Decides whether trend (higher timeframe) or timing (lower timeframe) signals prevail.",
        "lower_timeframe_wins for scalping setups; weighted_average with tuned timeframe_weights.",
        example="higher_timeframe_wins",
        choices=("higher_timeframe_wins", "lower_timeframe_wins", "weighted_average"),
    ),
    Parameter(
        "max_signal_age_seconds",
        "signal_processing",
        "integer",
        300,
        "Signals older than this when they are decided are rejected as stale; also how long a signal counts as "
        "active in conflict resolution.",
        "Old signals never trade on prices that have moved on.",
        "Shorten it for fast timeframes; lengthen it for slow strategies or a slow pipeline.",
        example=300,
        unit="seconds",
        minimum=D(1),
        maximum=D(3600),
    ),
    Parameter(
        "min_confidence_threshold",
        "signal_processing",
        "decimal",
        D("0.6"),
        "Signals with a lower (effective) confidence are rejected by the risk gate. A fraction 0-1, like a "
        "signal's confidence.",
        "Filters out weak signals; a higher value means fewer, surer trades.",
        "Raise it after a run of losing low-confidence trades.",
        example=D("0.7"),
        unit="fraction 0-1",
        minimum=D("0"),
        maximum=D("1"),
    ),
    # --- Strategy weights -------------------------------------------------------
    Parameter(
        "strategy_weights",
        "strategy_weights",
        "weights",
        {},
        "Weight per strategy name (0-10) in signal strength; a strategy not listed uses its own weight.",
        "Changes which strategy wins conflicts and the weighted-average vote.",
        "Raise the weight of strategies with a good track record on this symbol.",
        example={"momentum_v1": D("1.2"), "mean_reversion_v1": D("0.8")},
    ),
    Parameter(
        "timeframe_weights",
        "strategy_weights",
        "weights",
        {},
        'Weight per timeframe (e.g. {"1h": 1.2}) used by timeframe_conflict_resolution=weighted_average; '
        "unlisted timeframes weigh 1.",
        "Changes how much each timeframe counts in the weighted average.",
        "Tune with timeframe_conflict_resolution=weighted_average.",
        example={"15m": D("0.8"), "1h": D("1.2"), "4h": D("1.5")},
    ),
    # --- Advanced options --------------------------------------------------------
    Parameter(
        "enabled",
        "advanced",
        "boolean",
        True,
        "Master switch for new trades in this scope. Off: new entries are rejected; closes still run.",
        "Stops entries on a symbol (or everywhere, at global scope) without touching open positions.",
        "Switch off during news events, maintenance or when a symbol misbehaves.",
        example=True,
    ),
    Parameter(
        "enable_longs",
        "advanced",
        "boolean",
        True,
        "Allow entries that open or add to LONG positions.",
        "Off: buy entries are rejected; closing longs still works.",
        "Switch off in a confirmed downtrend.",
        example=True,
    ),
    Parameter(
        "enable_shorts",
        "advanced",
        "boolean",
        True,
        "Allow entries that open or add to SHORT positions.",
        "Off: sell entries are rejected; closing shorts still works.",
        "Switch off in a confirmed uptrend or for spot-only symbols.",
        example=True,
    ),
    Parameter(
        "slippage_tolerance_pct",
        "advanced",
        "decimal",
        D("0.5"),
        "Maximum acceptable price slippage, in percent (0-100 scale), between the signal's price and the "
        "execution price.",
        "Entries whose expected fill is further away are refused; limit prices are bounded by it.",
        "Widen it for illiquid symbols; tighten it for liquid majors.",
        example=D("0.5"),
        unit="percent",
        minimum=D("0"),
        maximum=D("10"),
    ),
    Parameter(
        "max_retries",
        "advanced",
        "integer",
        3,
        "How many times a transient exchange error (timeout, rate limit) is retried before the order fails.",
        "More retries ride out brief outages; fewer fail fast.",
        "Raise it on an unreliable network; 0 to fail at the first error.",
        example=3,
        unit="attempts",
        minimum=D(0),
        maximum=D(10),
    ),
    # --- Added for conflict handling, review and the risk gate ---------------------
    Parameter(
        "max_accumulations",
        "signal_processing",
        "integer",
        3,
        "With signal_conflict_resolution=accumulate: how many active same-direction signals may add to a "
        "position before further ones are rejected.",
        "Limits pyramiding into one position.",
        "Lower it for volatile symbols.",
        example=3,
        unit="signals",
        minimum=D(1),
        maximum=D(100),
        seed=False,
    ),
    Parameter(
        "review_max_age_seconds",
        "signal_processing",
        "integer",
        900,
        "A signal waiting for manual review longer than this expires and cannot be approved any more.",
        "Reviewers cannot approve trades on stale information.",
        "Lengthen it if reviewers need more time; shorten it for fast markets.",
        example=900,
        unit="seconds",
        minimum=D(10),
        maximum=D(86400),
        seed=False,
    ),
    Parameter(
        "review_max_price_drift_pct",
        "signal_processing",
        "decimal",
        D("1"),
        "Approval of a reviewed signal is refused when the price moved more than this percent (0-100 scale) "
        "since the signal.",
        "Stops approving trades whose premise the market has already invalidated.",
        "Widen it for volatile symbols.",
        example=D("1"),
        unit="percent",
        minimum=D("0"),
        maximum=D("100"),
        seed=False,
    ),
    Parameter(
        "allowed_symbols",
        "risk_management",
        "symbols",
        [],
        "Symbols that may be traded. Empty: every symbol.",
        "Entries on other symbols are rejected by the risk gate.",
        "Restrict to the symbols a strategy was validated on.",
        example=["BTCUSDT", "ETHUSDT"],
        seed=False,
    ),
    Parameter(
        "max_positions_per_symbol",
        "risk_management",
        "integer",
        1,
        "How many open positions one symbol may have (LONG and SHORT count separately in hedge mode).",
        "An entry that would open another position on the symbol is rejected.",
        "Raise to 2 in hedge mode to hold both sides.",
        example=1,
        unit="positions",
        minimum=D(1),
        maximum=D(10),
        seed=False,
    ),
    Parameter(
        "duplicate_signal_window_seconds",
        "risk_management",
        "integer",
        60,
        "A second entry signal from the same strategy for the same symbol and direction within this many "
        "seconds is rejected as a duplicate. 0 disables the check.",
        "Stops a strategy that fires twice from doubling a position.",
        "Lengthen it for strategies that re-send signals on every candle.",
        example=60,
        unit="seconds",
        minimum=D(0),
        maximum=D(86400),
        seed=False,
    ),
    Parameter(
        "trading_windows",
        "risk_management",
        "windows",
        [],
        'UTC time windows in which entries are allowed, as "HH:MM-HH:MM", optionally after weekdays: '
        '"mon-fri 08:00-17:00", "sat,sun 10:00-12:00", "fri 22:00-02:00" (over midnight). Empty: 24/7.',
        "Entries outside every window are rejected; closes still run.",
        "Restrict trading to liquid sessions or away from scheduled maintenance.",
        example=["mon-fri 08:00-17:00"],
        seed=False,
    ),
    Parameter(
        "max_leverage",
        "risk_management",
        "integer",
        20,
        "The highest leverage the risk gate accepts; an entry asking for more is rejected.",
        "A hard bound on leverage whatever a lower scope or a signal sets.",
        "Lower it after losses; raise it only with a tested high-leverage strategy.",
        example=20,
        unit="x",
        minimum=D(1),
        maximum=D(125),
        seed=False,
    ),
    Parameter(
        "max_orders_per_minute",
        "risk_management",
        "integer",
        60,
        "How many orders the system sends per minute, kept well below Binance's own order rate limits.",
        "Entries beyond it are rejected so the account never hits the exchange's limit and gets banned.",
        "Raise it only for high-frequency strategies, staying under the exchange's limits.",
        example=60,
        unit="orders/minute",
        minimum=D(1),
        maximum=D(1200),
        seed=False,
    ),
]

PARAMETERS: dict[str, Parameter] = {parameter.name: parameter for parameter in _PARAMETERS}
SEED_PARAMETERS: tuple[str, ...] = tuple(p.name for p in _PARAMETERS if p.seed)


def defaults() -> dict[str, Any]:
    """The built-in value of every parameter (fresh copies: callers may mutate)."""
    return {name: _copy(parameter.default) for name, parameter in PARAMETERS.items()}


def parameters_clean(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """Validate a partial parameter dict; return (clean values, errors by parameter name).

    Each error is {"code", "message", "valid"} with a stable code: UNKNOWN_PARAMETER,
    INVALID_TYPE, OUT_OF_RANGE or INVALID_VALUE.
    """
    clean: dict[str, Any] = {}
    errors: dict[str, list[dict[str, Any]]] = {}
    for name, value in values.items():
        parameter = PARAMETERS.get(name)
        if parameter is None:
            error = ParameterError(
                UNKNOWN_PARAMETER,
                f"Unknown parameter {name!r}; the parameters are listed at /api/v1/config/trading/schema",
            )
            errors[name] = [error.as_dict()]
            continue
        try:
            clean[name] = parameter.clean(value)
        except ParameterError as exc:
            errors[name] = [exc.as_dict()]
    return clean, errors


def parameter_document(parameter: Parameter) -> dict[str, Any]:
    """One parameter in seed 004 §4's shape, as the schema endpoint and the README show it."""
    document: dict[str, Any] = {
        "name": parameter.name,
        "category": parameter.category,
        "type": parameter.type,
        "unit": parameter.unit,
        "description": parameter.description,
        "default": parameter.to_json(parameter.default),
        "example": parameter.to_json(parameter.example),
        "impact": parameter.impact,
        "when_to_change": parameter.when_to_change,
        "nullable": parameter.nullable,
        "seed_004": parameter.seed,
    }
    if parameter.minimum is not None:
        document["min"] = parameter.to_json(parameter.minimum)
    if parameter.maximum is not None:
        document["max"] = parameter.to_json(parameter.maximum)
    if parameter.choices:
        document["allowed_values"] = list(parameter.choices)
    if parameter.aliases:
        document["input_aliases"] = dict(parameter.aliases)
    return document


def schema_document() -> dict[str, Any]:
    return {
        "unit_convention": UNIT_CONVENTION,
        "hierarchy": "defaults < global < symbol < symbol_side (LONG/SHORT); per parameter, the most specific wins",
        "error_codes": ["UNKNOWN_PARAMETER", "INVALID_TYPE", "OUT_OF_RANGE", "INVALID_VALUE"],
        "categories": CATEGORIES,
        "parameters": {name: parameter_document(parameter) for name, parameter in PARAMETERS.items()},
    }


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    return value
