"""The quick start trades by itself: from a fresh SQLite file, the commands
`make run` runs (migrate, seed_demo, serve; PETROSA_DEMO on by the Makefile's
default) produce paper fills from the demo's built-in strategies within 60
seconds, without a single request to the server.

This drives the real `make run` target (skipping only its `install` step, the
venv being already installed) and watches the SQLite file from outside. It is
the suite's one slow test: it waits for real one-second ticks.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from tests.e2e.processes import Process, free_port, port_open, wait_for
from tests.e2e.test_quickstart_smoke_sqlite import embedded_env

DEMO_STRATEGIES = ("demo_ma_crossover", "demo_rsi_reversion")
FILLS_FROM_DEMO_STRATEGIES = """
SELECT count(*), min(f.id)
FROM execution_app_fill f
JOIN execution_app_order o ON o.id = f.order_id
JOIN risk_app_riskdecision d ON d.id = o.decision_id
JOIN signals_app_signal s ON s.id = o.signal_id
JOIN signals_app_strategy st ON st.id = s.strategy_id
WHERE st.name IN (?, ?) AND s.source = 'builtin' AND d.approved AND d.signal_id = s.id
"""


def query(database: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as connection:
            return connection.execute(sql, params).fetchall()
    except sqlite3.OperationalError:
        return []  # not created or migrated yet, or busy: ask again


def demo_fills(database: Path) -> int:
    rows = query(database, FILLS_FROM_DEMO_STRATEGIES, *DEMO_STRATEGIES)
    return int(rows[0][0]) if rows else 0


def test_make_run_has_demo_fills_within_a_minute_without_any_request(tmp_path: Path) -> None:
    env = embedded_env(tmp_path)
    env.pop("PETROSA_DEMO", None)  # the Makefile's default turns the demo on
    database = Path(env["SQLITE_PATH"])
    port = free_port()
    started = time.monotonic()
    run = Process("make-run", ["make", "-o", "install", "run", "HOST=127.0.0.1", f"PORT={port}"], env)
    try:
        wait_for(lambda: port_open(port) or run.proc.poll() is not None, timeout=120, what="make run to serve")
        assert run.proc.poll() is None, f"make run exited:\n{run.output()[-4000:]}"
        serving = time.monotonic()
        wait_for(lambda: demo_fills(database) > 0, timeout=60, interval=0.5, what="a fill from a demo strategy")
        first_fill, fills_first = time.monotonic(), demo_fills(database)
        time.sleep(5)  # and it keeps going
        fills_later = demo_fills(database)
    except Exception as exc:
        raise AssertionError(f"{exc}\n--- make run (tail) ---\n{run.output()[-6000:]}") from exc
    finally:
        run.kill()

    output = run.output()
    assert "built-in strategy demo_ma_crossover on BTCUSDT, ETHUSDT, SOLUSDT: short_period=5, long_period=15" in output
    assert "Switch off with PETROSA_DEMO=false" in output
    # uvicorn logs every request: no signal, order or price reached the server from outside.
    assert '"POST ' not in output, output[-4000:]
    sources = dict(query(database, "SELECT source, count(*) FROM signals_app_signal GROUP BY source"))
    assert set(sources) == {"builtin"}, sources
    prices = dict(query(database, "SELECT symbol, source FROM core_marketprice"))
    assert prices["BTCUSDT"] == "random_walk", prices
    statuses = dict(query(database, "SELECT status, count(*) FROM signals_app_signal GROUP BY status"))
    assert statuses.get("ordered", 0) >= 1, statuses
    assert fills_later >= fills_first >= 1
    print(
        f"\nmake run: serving after {serving - started:.1f}s, first demo fill {first_fill - serving:.1f}s later; "
        f"{fills_later} fills after {time.monotonic() - serving:.0f}s; signals by status {statuses}"
    )
