"""Reading stored trading configuration and its history."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from configs_app.models import Scope, TradingConfig, TradingConfigVersion
from configs_app.services.changes import ScopeRef


def config_stored(*, ref: ScopeRef) -> TradingConfig | None:
    """The scope's own overrides, or None when it inherits everything."""
    return TradingConfig.objects.filter(scope=ref.scope, symbol=ref.symbol, side=ref.side).first()


def config_last_version(*, ref: ScopeRef) -> int:
    """The scope's latest version number, also after a delete (0: never configured)."""
    row = config_stored(ref=ref)
    if row is not None:
        return row.version
    last = (
        TradingConfigVersion.objects.filter(scope=ref.scope, symbol=ref.symbol, side=ref.side)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    return last or 0


def config_history(
    *, scope: str | None = None, symbol: str | None = None, side: str | None = None
) -> QuerySet[TradingConfigVersion]:
    """Committed changes, newest first, optionally of one scope, symbol or side."""
    history = TradingConfigVersion.objects.all()
    if scope:
        history = history.filter(scope=scope)
    if symbol:
        history = history.filter(symbol=symbol.strip().upper())
    if side:
        history = history.filter(side=side.strip().upper())
    return history.order_by("-created_at", "-id")


def config_counts_by_scope() -> dict[str, int]:
    counts = dict.fromkeys(Scope.values, 0)
    for row in TradingConfig.objects.values("scope").annotate(n=Count("id")):
        counts[row["scope"]] = row["n"]
    return counts
