"""Resolving the parameters in force for one trade, cheaply and never stale.

config_resolve runs for every signal, in every worker process. Each process
keeps a memo of resolved configs tagged with a *generation*: a random token in
the shared Django cache (Redis in production) that every committed config
write replaces. A call costs one cache GET; when the token differs from the
memo's, the process reads the database again. So the very next signal after a
commit sees the change in every process. A short TTL bounds staleness only
for writes that bypass the services (a hand-edited row) or a bump lost to a
Redis blip. A random token rather than a counter: after a Redis restart or
flush a counter would start again and could match a stale memo.

While Redis is unreachable, the generation is unknown and every call reads
the database: slower, never wrong.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from redis.exceptions import RedisError

from configs_app.models import Scope, Side, TradingConfig
from configs_app.parameter_types import ParameterError
from configs_app.schema import PARAMETERS, defaults

logger = logging.getLogger(__name__)

GENERATION_KEY = "configs_app:generation"
# Fallback only: the generation token is what makes changes visible at once.
FALLBACK_TTL_SECONDS = float(getattr(settings, "CONFIG_CACHE_TTL_SECONDS", 10))
# Set on a connection whose open transaction wrote config; reads on it bypass the
# memo, so an uncommitted (maybe later rolled back) value never lands in it.
_DIRTY_FLAG = "_petrosa_config_written"

ScopeKey = tuple[str, str, str]


@dataclass(frozen=True)
class ResolvedConfig:
    """Every parameter's value in force, and the scope it came from:
    default, global, symbol or symbol_side."""

    values: dict[str, Any]
    sources: dict[str, str]

    def copy_values(self) -> dict[str, Any]:
        return {name: _copy(value) for name, value in self.values.items()}


_memo: dict[tuple[str, str], tuple[str, float, ResolvedConfig]] = {}
_memo_lock = threading.Lock()


def config_resolve(*, symbol: str = "", side: str = "") -> dict[str, Any]:
    """The parameters in force for one trade, name -> value in its canonical type
    (int, Decimal, bool, str, dict of Decimal, list of str).

    Order: defaults < global < symbol < symbol-side (side LONG or SHORT; empty
    skips the symbol-side scope). ``*_pct`` values are percents (0-100 scale).
    The dict is the caller's own copy.
    """
    return config_resolve_explained(symbol=symbol, side=side).copy_values()


def config_resolve_explained(*, symbol: str = "", side: str = "", fresh: bool = False) -> ResolvedConfig:
    """config_resolve with each value's source scope. ``fresh`` skips the memo."""
    symbol, side = symbol.strip().upper(), side.strip().upper()
    if side and (side not in Side.values or not symbol):
        raise ValueError(f"side must be LONG or SHORT with a symbol, or empty; got {side!r}")
    if fresh or _connection_wrote_config():
        return _read(symbol, side)
    generation = config_generation()
    if generation is None:
        return _read(symbol, side)
    now = time.monotonic()
    with _memo_lock:
        hit = _memo.get((symbol, side))
    if hit is not None and hit[0] == generation and now - hit[1] < FALLBACK_TTL_SECONDS:
        return hit[2]
    resolved = _read(symbol, side)
    with _memo_lock:
        _memo[(symbol, side)] = (generation, now, resolved)
    return resolved


def config_merge(rows: dict[ScopeKey, dict[str, Any]], *, symbol: str, side: str) -> ResolvedConfig:
    """Merge stored scope parameters over the defaults. Pure: the admin preview and
    dry runs call it with the rows as they would be after a change."""
    values = defaults()
    sources = dict.fromkeys(values, "default")
    chain: list[tuple[str, ScopeKey]] = [("global", (Scope.GLOBAL, "", ""))]
    if symbol:
        chain.append(("symbol", (Scope.SYMBOL, symbol, "")))
        if side:
            chain.append(("symbol_side", (Scope.SYMBOL_SIDE, symbol, side)))
    for source, key in chain:
        for name, raw in (rows.get(key) or {}).items():
            parameter = PARAMETERS.get(name)
            if parameter is None:
                logger.error("config %s holds unknown parameter %s; ignored", key, name)
                continue
            try:
                values[name] = parameter.clean(raw)
            except ParameterError as exc:
                # A row saved under older bounds: the inherited value stays in force.
                logger.error("config %s: stored %s is no longer valid (%s); inherited value used", key, name, exc)
                continue
            sources[name] = source
    return ResolvedConfig(values=values, sources=sources)


def config_rows(*, symbol: str) -> dict[ScopeKey, dict[str, Any]]:
    """The stored parameters of the global scope and every scope of ``symbol``."""
    return {
        (row.scope, row.symbol, row.side): row.parameters
        for row in TradingConfig.objects.filter(symbol__in=["", symbol]).only("scope", "symbol", "side", "parameters")
    }


def config_generation() -> str | None:
    """The current generation token, created when missing; None when the cache is down."""
    try:
        generation = cache.get(GENERATION_KEY)
        if generation is None:
            cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
            generation = cache.get(GENERATION_KEY)
        return generation
    except (RedisError, OSError) as exc:
        logger.warning("config cache unavailable, reading the database: %s", exc)
        return None


def config_changed_on_commit() -> None:
    """Call inside the transaction of a config write: marks this connection's
    transaction as having written config, and replaces the generation when it
    commits, so every process re-reads on its next call."""
    setattr(connection, _DIRTY_FLAG, True)
    transaction.on_commit(_generation_bump)


def _generation_bump() -> None:
    setattr(connection, _DIRTY_FLAG, False)
    with _memo_lock:
        _memo.clear()
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except (RedisError, OSError) as exc:
        logger.warning(
            "config generation not bumped (cache down); other processes refresh within %ss: %s",
            FALLBACK_TTL_SECONDS,
            exc,
        )


def _connection_wrote_config() -> bool:
    if not getattr(connection, _DIRTY_FLAG, False):
        return False
    if connection.in_atomic_block:
        return True
    setattr(connection, _DIRTY_FLAG, False)  # the writing transaction ended without commit
    return False


def _read(symbol: str, side: str) -> ResolvedConfig:
    return config_merge(config_rows(symbol=symbol) if symbol else _global_rows(), symbol=symbol, side=side)


def _global_rows() -> dict[ScopeKey, dict[str, Any]]:
    row = TradingConfig.objects.filter(scope=Scope.GLOBAL).only("parameters").first()
    return {(Scope.GLOBAL, "", ""): row.parameters} if row else {}


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    return value
