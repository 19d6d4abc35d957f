"""Smoke test of the quick-start path: SQLite, eager Celery, one process.

Proves that with no DATABASE_URL and no REDIS_URL (embedded mode) the
documented start-up sequence works end to end from the outside:
`manage.py migrate` → `manage.py seed_demo` (prints an operator login and a
strategy API key) → `manage.py serve` → a buy signal POSTed over HTTP is
accepted and, eagerly, risk-approved, ordered and filled by the paper
exchange at the seeded price with the taker fee in USDT. It also proves the
dashboard is behind the admin login and opens for the printed operator.

It needs no database fixture: everything runs in subprocesses against a
SQLite file in pytest's tmp_path.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from tests.e2e.processes import REPO, start_web

FEE_RATE = Decimal("0.001")  # settings.PAPER_TAKER_FEE_RATE default
OPERATOR_RE = re.compile(r"^operator login: (?P<user>\S+) / (?P<password>\S+)$", re.MULTILINE)
KEY_RE = re.compile(r"^strategy demo_strategy API key: (?P<key>\S+)$", re.MULTILINE)


def embedded_env(tmp_path: Path) -> dict[str, str]:
    """os.environ without DATABASE_URL / REDIS_URL: the quick-start (embedded) mode."""
    env = dict(os.environ)
    # Quick-start defaults: no services, paper trading, default paper fee rates.
    for name in (
        "DATABASE_URL", "REDIS_URL", "PETROSA_PRODUCTION", "PETROSA_TRADING_MODE",
        "PETROSA_PAPER_TAKER_FEE_RATE", "PETROSA_PAPER_MAKER_FEE_RATE",
    ):  # fmt: skip
        env.pop(name, None)
    static_root = tmp_path / "static"
    static_root.mkdir()
    env.update(
        SQLITE_PATH=str(tmp_path / "quickstart.sqlite3"),
        STATIC_ROOT=str(static_root),
        DJANGO_SETTINGS_MODULE="petrosa.settings",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, (
        f"manage.py {' '.join(args)} exited {result.returncode}\n"
        f"stdout:\n{result.stdout[-4000:]}\nstderr:\n{result.stderr[-4000:]}"
    )
    return result.stdout


def test_quickstart_http_to_fill_and_dashboard_login(tmp_path: Path) -> None:
    env = embedded_env(tmp_path)
    assert not Path(env["SQLITE_PATH"]).exists()

    manage(env, "migrate", "--noinput")
    assert Path(env["SQLITE_PATH"]).is_file(), "migrate did not create the SQLite file at SQLITE_PATH"
    seeded = manage(env, "seed_demo")
    operator = OPERATOR_RE.search(seeded)
    api_key = KEY_RE.search(seeded)
    assert operator and api_key, f"seed_demo output lacks the operator login or the API key:\n{seeded}"
    username, password, key = operator["user"], operator["password"], api_key["key"]

    web, base = start_web(env)
    context = ""
    try:
        context = "signal flow"
        _check_signal_is_filled(base, key)
        context = "dashboard login"
        _check_dashboard_needs_login(base, username, password)
    except Exception as exc:
        web.kill()
        raise AssertionError(f"{context} failed: {exc}\n--- serve log (tail) ---\n{web.output()[-6000:]}") from exc
    finally:
        web.kill()


def _check_signal_is_filled(base: str, key: str) -> None:
    auth = {"Authorization": f"Bearer {key}"}
    started = time.monotonic()
    payload = {"symbol": "BTCUSDT", "action": "buy", "confidence": 0.8}
    response = requests.post(f"{base}/api/v1/signals", json=payload, headers=auth, timeout=30)
    elapsed = time.monotonic() - started
    assert response.status_code == 202, f"POST /api/v1/signals: {response.status_code} {response.text}"
    created: dict[str, Any] = response.json()
    assert isinstance(created.get("id"), int), created
    assert created["symbol"] == "BTCUSDT" and created["action"] == "buy", created
    assert elapsed < 20, f"eager intake took {elapsed:.1f}s"

    detail = requests.get(f"{base}/api/v1/signals/{created['id']}", headers=auth, timeout=10)
    assert detail.status_code == 200, f"GET signal: {detail.status_code} {detail.text}"
    trace: dict[str, Any] = detail.json()
    assert trace["id"] == created["id"], trace
    assert trace["status"] == "ordered", f"eager mode should have ordered the signal in the request: {trace}"
    decision = trace["decision"]
    assert decision is not None, trace
    assert decision["approved"] is True and decision["reason_code"] == "approved", decision

    orders = [o for o in trace["orders"] if o["role"] == "entry"]  # its protective legs are orders too
    assert len(orders) == 1, orders
    order = orders[0]
    assert order["status"] == "filled", order
    assert order["symbol"] == "BTCUSDT" and order["side"] == "BUY", order
    assert len(order["fills"]) == 1, order
    fill = order["fills"][0]
    price, quantity, commission = Decimal(fill["price"]), Decimal(fill["quantity"]), Decimal(fill["commission"])
    assert price == Decimal("65000.00"), f"paper fill should be at the seeded BTCUSDT price: {fill}"
    assert quantity > 0, fill
    assert quantity == Decimal(order["executed_quantity"]) == Decimal(order["quantity"]), order
    assert Decimal(fill["quote_quantity"]) == quantity * price, fill
    assert fill["commission_asset"] == "USDT", fill
    assert commission == quantity * price * FEE_RATE, f"commission {commission} != {quantity} × {price} × {FEE_RATE}"


def _check_dashboard_needs_login(base: str, username: str, password: str) -> None:
    anonymous = requests.get(f"{base}/dashboard/", allow_redirects=False, timeout=10)
    assert anonymous.status_code == 302, f"anonymous /dashboard/: {anonymous.status_code} {anonymous.text[:500]}"
    location = urlsplit(anonymous.headers["Location"])
    assert location.path == "/admin/login/" and "next=/dashboard/" in location.query, anonymous.headers["Location"]

    session = requests.Session()
    form = session.get(f"{base}/admin/login/", params={"next": "/dashboard/"}, timeout=10)
    assert form.status_code == 200, f"GET /admin/login/: {form.status_code}"
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert match, f"no csrfmiddlewaretoken in the login form:\n{form.text[:2000]}"
    assert "csrftoken" in session.cookies, f"no csrftoken cookie: {session.cookies}"

    login = session.post(
        f"{base}/admin/login/",
        data={"csrfmiddlewaretoken": match[1], "username": username, "password": password, "next": "/dashboard/"},
        headers={"Referer": f"{base}/admin/login/", "Origin": base},
        allow_redirects=False,
        timeout=10,
    )
    assert login.status_code == 302, f"login POST did not redirect ({login.status_code}):\n{login.text[:2000]}"
    assert login.headers["Location"] == "/dashboard/", login.headers
    assert "sessionid" in session.cookies, "login set no session cookie"

    page = session.get(f"{base}/dashboard/", allow_redirects=False, timeout=10)
    assert page.status_code == 200, f"/dashboard/ after login: {page.status_code} {page.headers.get('Location')}"
    assert "text/html" in page.headers["Content-Type"], page.headers
    assert "<h2>Positions</h2>" in page.text and "Petrosa — live dashboard" in page.text, page.text[:2000]
