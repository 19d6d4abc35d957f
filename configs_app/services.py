"""Reading and writing trading configuration."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from configs_app.models import Scope, TradingConfig
from configs_app.schema import PARAMETERS, defaults, parameters_clean
from petrosa.core.audit import audit_record
from petrosa.core.errors import InvalidInput


def config_resolve(*, symbol: str = "", side: str = "") -> dict[str, Any]:
    """The parameters in force for one trade: defaults < global < symbol < symbol-side."""
    rows = {
        (row.scope, row.symbol, row.side): row.parameters
        for row in TradingConfig.objects.filter(symbol__in=["", symbol])
    }
    resolved = defaults()
    for key in ((Scope.GLOBAL, "", ""), (Scope.SYMBOL, symbol, ""), (Scope.SYMBOL_SIDE, symbol, side)):
        stored = rows.get(key) or {}
        for name, raw in stored.items():
            if name in PARAMETERS:
                resolved[name] = PARAMETERS[name].clean(raw)
    return resolved


@transaction.atomic
def config_set_global(*, parameters: dict[str, Any], changed_by: str, reason: str) -> TradingConfig:
    clean, errors = parameters_clean(parameters)
    if errors:
        raise InvalidInput("Invalid trading parameters.", fields=errors)
    if not reason.strip():
        raise InvalidInput("A reason is required for a config change.", fields={"reason": ["This field is required."]})
    row, created = TradingConfig.objects.select_for_update().get_or_create(
        scope=Scope.GLOBAL, symbol="", side="", defaults={"updated_by": changed_by}
    )
    before = dict(row.parameters)
    row.parameters = {**before, **{name: PARAMETERS[name].to_json(value) for name, value in clean.items()}}
    row.version = row.version if created else row.version + 1
    row.updated_by = changed_by
    row.save()
    audit_record(
        kind="config.changed",
        entity_type="trading_config",
        entity_id=row.pk,
        actor=changed_by,
        data={"scope": row.scope, "before": before, "after": row.parameters, "reason": reason, "version": row.version},
    )
    return row
