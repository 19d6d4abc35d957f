"""Every trading parameter is proven to change what the system does.

This is the index: for each parameter, the test that sets it to two values and
shows the trade (the gate's verdict, the order, the conflict outcome or the
exchange call) come out differently. It fails when a parameter is added
without such a test, or when a listed test is renamed or removed.
"""

from __future__ import annotations

from importlib import import_module

import pytest

from configs_app.schema import PARAMETERS, SEED_PARAMETERS

EXECUTION = "tests.execution_app.test_each_execution_parameter_changes_the_order"
RISK_CASES = "tests.risk_app.test_each_limit_parameter_changes_the_verdict"
CONFLICTS = "tests.signals_app.test_conflict_policies"
LEVERAGE = "tests.execution_app.test_binance_leverage_set_before_a_trade"

BEHAVIOUR_TESTS: dict[str, tuple[str, str]] = {
    # order execution
    "leverage": (EXECUTION, "test_leverage_scales_the_futures_notional_within_the_cap"),
    "margin_type": (LEVERAGE, "test_a_refusal_with_a_position_open_is_recorded_and_trading_goes_on"),
    "default_order_type": (EXECUTION, "test_default_order_type_applies_when_the_signal_names_none"),
    "time_in_force": (EXECUTION, "test_time_in_force_applies_to_limit_orders_that_name_none"),
    "position_mode": (EXECUTION, "test_position_mode_hedge_keeps_long_and_short_apart"),
    # position sizing
    "position_size_pct": (EXECUTION, "test_position_size_pct_is_the_share_of_equity"),
    "max_position_size_usd": (EXECUTION, "test_max_position_size_usd_caps_the_notional"),
    "min_position_size_usd": (EXECUTION, "test_min_position_size_usd_raises_a_small_size"),
    "quantity_multiplier": (EXECUTION, "test_quantity_multiplier_scales_the_size"),
    "use_exchange_minimums": (EXECUTION, "test_use_exchange_minimums_raises_a_tiny_order_or_lets_it_be_refused"),
    "override_min_notional": (EXECUTION, "test_override_min_notional_raises_the_dynamic_minimum"),
    "override_min_qty": (EXECUTION, "test_override_min_qty_raises_the_dynamic_minimum"),
    "override_step_size": (EXECUTION, "test_override_step_size_snaps_to_a_coarser_step"),
    # risk management
    "stop_loss_pct": (EXECUTION, "test_stop_loss_pct_sets_the_stop_distance"),
    "take_profit_pct": (EXECUTION, "test_take_profit_pct_sets_the_target_distance"),
    "max_daily_loss_pct": (RISK_CASES, "CASES"),
    "max_portfolio_exposure_pct": (RISK_CASES, "CASES"),
    "max_daily_trades": (RISK_CASES, "CASES"),
    "max_concurrent_positions": (RISK_CASES, "CASES"),
    "risk_management_enabled": (EXECUTION, "test_risk_management_enabled_attaches_protection_to_bare_entries"),
    # signal processing
    "signal_conflict_resolution": (CONFLICTS, "TestOtherPolicies.test_first_come_first_served"),
    "timeframe_conflict_resolution": (CONFLICTS, "TestTimeframes.test_lower_timeframe_wins"),
    "max_signal_age_seconds": (RISK_CASES, "CASES"),
    "min_confidence_threshold": (RISK_CASES, "CASES"),
    # strategy weights
    "strategy_weights": (CONFLICTS, "TestStrongestWins.test_strategy_weights_from_the_config_count"),
    "timeframe_weights": (CONFLICTS, "TestTimeframes.test_timeframe_weights"),
    # advanced
    "enabled": (RISK_CASES, "CASES"),
    "enable_shorts": (RISK_CASES, "CASES"),
    "enable_longs": (RISK_CASES, "CASES"),
    "slippage_tolerance_pct": (EXECUTION, "test_slippage_tolerance_pct_refuses_a_market_order_expected_to_slip_further"),
    "max_retries": (EXECUTION, "test_max_retries_bounds_the_protective_leg_placements"),
    # the gate's extras beyond seed 004
    "allowed_symbols": (RISK_CASES, "CASES"),
    "duplicate_signal_window_seconds": (RISK_CASES, "CASES"),
    "trading_windows": (RISK_CASES, "CASES"),
    "max_leverage": (RISK_CASES, "CASES"),
    "max_positions_per_symbol": (RISK_CASES, "CASES"),
    "max_orders_per_minute": (RISK_CASES, "CASES"),
    "max_accumulations": (CONFLICTS, "TestOtherPolicies.test_accumulate_caps_same_direction_signals"),
    "review_max_age_seconds": ("tests.signals_app.test_manual_review_queue", "test_unreviewed_signals_expire"),
    "review_max_price_drift_pct": (
        "tests.signals_app.test_manual_review_queue", "test_approval_is_refused_when_the_price_moved_too_far"
    ),
}


def test_the_seed_has_31_parameters_and_each_has_a_behaviour_test() -> None:
    assert len(SEED_PARAMETERS) == 31
    assert set(SEED_PARAMETERS) <= set(BEHAVIOUR_TESTS)
    assert set(BEHAVIOUR_TESTS) == set(PARAMETERS), "a parameter was added or removed: list its behaviour test here"


@pytest.mark.parametrize("parameter", sorted(BEHAVIOUR_TESTS))
def test_the_listed_test_exists(parameter: str) -> None:
    module_name, target = BEHAVIOUR_TESTS[parameter]
    found: object = import_module(module_name)
    if target == "CASES":
        assert parameter in {case.parameter for case in found.CASES}  # type: ignore[attr-defined]
        return
    for part in target.split("."):
        found = getattr(found, part)
    assert callable(found)
