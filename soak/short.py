"""The shortened soak scenarios' common ground for `make test`: a stack on the
test database with a private redis-server, and logins made in process (the
full soak makes them with management commands; here that would cost seconds)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.contrib.auth import get_user_model

from bench.pipeline import ENTRY_SYMBOLS, HIGH_RATE_LIMITS
from bench.stack import Logins, Stack, config_set
from petrosa.core.feeds.bundled import START_PRICES
from petrosa.core.market import price_set
from petrosa.core.user_tokens import user_token_create
from signals_app.services.strategies import strategy_create

PASSWORD = "soak-Operator-123456"
# Seconds, not the production defaults' tens of seconds: the same recovery code, sooner.
FAST_RECOVERY = {"PETROSA_SWEEP_INTERVAL_SECONDS": "1", "PETROSA_SWEEP_STALE_AFTER_SECONDS": "2",
                 "PETROSA_ORDER_RECONCILE_AFTER_SECONDS": "2", "LOG_LEVEL": "WARNING"}  # fmt: skip


def logins_in_process() -> Logins:
    user = get_user_model().objects.create_superuser("soak-operator", password=PASSWORD)
    _, token = user_token_create(user=user, name="soak", actor="test")
    _, key = strategy_create(name="soak_strategy", actor="test")
    for symbol in ENTRY_SYMBOLS:
        price_set(symbol=symbol, price=Decimal(START_PRICES[symbol]), source="test")
    return Logins(operator="soak-operator", password=PASSWORD, token=token, strategy_key=key)


@contextmanager
def short_stack(env: dict[str, str], *, web_env: dict[str, str] | None = None) -> Iterator[tuple[Stack, Logins]]:
    """Web server on a private redis-server, logins, the high-rate limits. Workers and beat are the
    test's; any that exits on its own is started again, as a deployment's supervisor would."""
    stack = Stack(env={**env, **FAST_RECOVERY})
    try:
        stack.supervise()
        stack.start_redis()
        logins = logins_in_process()
        stack.start_web(env=web_env)
        config_set(stack.base_url, logins.token, HIGH_RATE_LIMITS)
        yield stack, logins
    except BaseException as exc:
        if not isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            exc.add_note(stack.logs())
        raise
    finally:
        stack.close()
