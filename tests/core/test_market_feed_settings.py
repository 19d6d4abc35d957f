"""Which price feed runs: off unless the demo or a setting asks for one;
Binance's prices whenever real money trades; never made-up prices in live."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from tests.e2e.processes import REPO

PRINT = (
    "import json, petrosa.settings as s; print(json.dumps({'feed': s.MARKET_FEED, 'demo': s.DEMO, "
    "'tick': s.MARKET_TICK_SECONDS, 'beat': s.CELERY_BEAT_SCHEDULE.get('market-tick')}))"
)


def load(**env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("PETROSA_", "BINANCE_"))}
    full.update(env)
    return subprocess.run([sys.executable, "-c", PRINT], cwd=REPO, env=full, capture_output=True, text=True,
                          timeout=60)  # fmt: skip


def loaded(**env: str) -> dict[str, Any]:
    result = load(**env)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def test_no_feed_and_no_beat_entry_by_default() -> None:
    assert loaded() == {"feed": "off", "demo": False, "tick": 1.0, "beat": None}


def test_the_demo_runs_the_random_walk_under_beat_every_tick() -> None:
    settings = loaded(PETROSA_DEMO="true", PETROSA_MARKET_TICK_SECONDS="2")
    assert settings["feed"] == "random_walk" and settings["demo"] is True
    assert settings["beat"] == {"task": "petrosa.market_tick", "schedule": 2.0, "options": {"expires": 10.0}}


def test_live_trading_takes_binance_prices() -> None:
    creds = {"BINANCE_API_KEY": "k", "BINANCE_API_SECRET": "s"}
    assert loaded(PETROSA_TRADING_MODE="live", PETROSA_DEMO="true", **creds)["feed"] == "binance"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PETROSA_TRADING_MODE": "live", "PETROSA_MARKET_FEED": "random_walk", "BINANCE_API_KEY": "k",
          "BINANCE_API_SECRET": "s"}, "is for paper trading only"),
        ({"PETROSA_MARKET_FEED": "kline_replay"}, "needs PETROSA_KLINE_CSV"),
        ({"PETROSA_MARKET_FEED": "dice"}, "PETROSA_MARKET_FEED must be"),
    ],
)  # fmt: skip
def test_unsafe_or_incomplete_feed_settings_stop_the_process(env: dict[str, str], message: str) -> None:
    result = load(**env)
    assert result.returncode != 0 and message in result.stderr
