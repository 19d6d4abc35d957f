"""The built-in strategy engine: market events in, signals out through intake.

A strategy kind is a pure function of (market event, saved state, parameters)
to (signals, new state). The engine keeps the state in the database
(BuiltinStrategyState), so any worker can process the next tick, and sends
each signal through signals_app.services.intake.signal_intake under the
strategy's own Strategy row: aggregation, the risk gate and the audit trail
apply exactly as to an external strategy. Nothing here imports execution_app
or risk_app (import-linter contract in pyproject.toml).
"""
