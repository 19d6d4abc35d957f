"""Unsafe production settings and live trading without credentials stop the process."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.e2e.processes import REPO

SAFE_PRODUCTION = {
    "PETROSA_PRODUCTION": "true",
    "SECRET_KEY": "x" * 60,
    "ALLOWED_HOSTS": "petrosa.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/petrosa",
    "REDIS_URL": "redis://127.0.0.1:6379/14",
    "DEBUG": "false",
}


def load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k not in SAFE_PRODUCTION and not k.startswith("PETROSA_")}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import petrosa.settings"], cwd=REPO, env=full, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip


def test_safe_production_settings_load() -> None:
    result = load_settings(**SAFE_PRODUCTION)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"DEBUG": "true"}, "DEBUG must be false"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be set"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS must list"),
        ({"DATABASE_URL": "sqlite:///x.db"}, "DATABASE_URL must point at PostgreSQL"),
        ({"REDIS_URL": ""}, "REDIS_URL is required"),
    ],
)
def test_unsafe_production_values_fail_loudly(override: dict[str, str], message: str) -> None:
    result = load_settings(**{**SAFE_PRODUCTION, **override})
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize("mode", ["testnet", "live"])
def test_testnet_and_live_refuse_to_start_without_credentials(mode: str) -> None:
    result = load_settings(PETROSA_TRADING_MODE=mode)
    assert result.returncode != 0
    assert "needs BINANCE_API_KEY and BINANCE_API_SECRET" in result.stderr


def test_an_unknown_trading_mode_is_refused() -> None:
    result = load_settings(PETROSA_TRADING_MODE="yolo")
    assert result.returncode != 0
    assert "must be one of paper, testnet, live" in result.stderr


def test_paper_is_the_default() -> None:
    full = {k: v for k, v in os.environ.items() if not k.startswith("PETROSA_")}
    result = subprocess.run(
        [sys.executable, "-c", "import petrosa.settings as s; print(s.TRADING_MODE)"], cwd=REPO, env=full,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.stdout.strip() == "paper"
