"""Changing trading configuration: set, delete and roll back one scope.

Every committed change is a new version of its scope (TradingConfigVersion:
before, after, who, why) plus an AuditEvent, in one transaction, and replaces
the config generation on commit so every worker sees it on its next signal.
A dry run (validate_only) goes through the same checks and computes the
resolved result, but writes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max

from configs_app.models import ConfigAction, Scope, Side, TradingConfig, TradingConfigVersion
from configs_app.schema import PARAMETERS, parameters_clean
from configs_app.services.resolve import (
    ResolvedConfig,
    config_changed_on_commit,
    config_merge,
    config_rows,
)
from petrosa.core.audit import audit_record
from petrosa.core.errors import Conflict, InvalidInput, NotFound
from petrosa.core.locks import lock_for_transaction

SYMBOL_PATTERN = re.compile(r"^[A-Z0-9]{2,20}$")


@dataclass(frozen=True)
class ScopeRef:
    scope: str
    symbol: str = ""
    side: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.scope, self.symbol, self.side)

    @property
    def label(self) -> str:
        return " ".join(part for part in (self.scope, self.symbol, self.side) if part)


@dataclass(frozen=True)
class ConfigChange:
    """What a write did (or, for a dry run, would do)."""

    ref: ScopeRef
    action: str  # created, updated, deleted, rolled_back, unchanged, validated
    version: int  # the scope's version after the change (0: never configured)
    before: dict[str, Any]
    after: dict[str, Any]
    resolved: ResolvedConfig
    config: TradingConfig | None
    validate_only: bool = False


def config_scope(*, symbol: str = "", side: str = "") -> ScopeRef:
    """The scope a (symbol, side) pair names, or a 400 for a malformed symbol or side."""
    symbol, side = (symbol or "").strip().upper(), (side or "").strip().upper()
    errors: dict[str, list[str]] = {}
    if symbol and not SYMBOL_PATTERN.match(symbol):
        errors["symbol"] = [f"{symbol!r} is not a symbol: 2-20 letters or digits, like BTCUSDT."]
    if side and side not in Side.values:
        errors["side"] = [f"{side!r} is not a side: LONG or SHORT."]
    if side and not symbol:
        errors["side"] = ["A side needs a symbol."]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], fields=errors)
    if side:
        return ScopeRef(Scope.SYMBOL_SIDE, symbol, side)
    if symbol:
        return ScopeRef(Scope.SYMBOL, symbol)
    return ScopeRef(Scope.GLOBAL)


def config_set(
    *,
    ref: ScopeRef,
    parameters: dict[str, Any],
    changed_by: str,
    reason: str,
    agent: str = "",
    unset: list[str] | tuple[str, ...] = (),
    replace: bool = False,
    expected_version: int | None = None,
    validate_only: bool = False,
) -> ConfigChange:
    """Merge ``parameters`` into the scope (or replace its overrides when
    ``replace``), removing the ``unset`` names so they inherit again."""
    clean = _validated(parameters, unset)
    if not clean and not unset and not replace:
        raise InvalidInput("Nothing to change: send at least one parameter.", fields={"parameters": ["Empty."]})
    if not validate_only:
        _require_reason(reason)
    with transaction.atomic():
        row, current = _locked(ref)
        _check_expected(ref, current, expected_version)
        before = dict(row.parameters) if row else {}
        after = {} if replace else {name: value for name, value in before.items() if name not in unset}
        after.update({name: PARAMETERS[name].to_json(value) for name, value in clean.items()})
        if validate_only:
            return _dry_run(ref, current, before, after, row)
        if row is not None and after == before:
            return ConfigChange(ref, "unchanged", current, before, after, _resolved(ref, after), row)
        action = ConfigAction.CREATE if row is None else ConfigAction.UPDATE
        row = _save(ref, row, after, current + 1, changed_by)
        _record(ref, action, current + 1, before, after, changed_by, agent, reason, None)
        return ConfigChange(
            ref,
            "created" if action == ConfigAction.CREATE else "updated",
            current + 1,
            before,
            after,
            _resolved(ref, after),
            row,
        )


def config_set_global(*, parameters: dict[str, Any], changed_by: str, reason: str) -> TradingConfig:
    """Merge parameters into the global scope (kept for callers that predate config_set)."""
    change = config_set(ref=ScopeRef(Scope.GLOBAL), parameters=parameters, changed_by=changed_by, reason=reason)
    assert change.config is not None
    return change.config


def config_delete(
    *,
    ref: ScopeRef,
    changed_by: str,
    reason: str,
    agent: str = "",
    expected_version: int | None = None,
    validate_only: bool = False,
) -> ConfigChange:
    """Remove the scope's overrides: its parameters inherit from the scope above
    (the global scope falls back to the defaults). The history stays."""
    if not validate_only:
        _require_reason(reason)
    with transaction.atomic():
        row, current = _locked(ref)
        if row is None:
            raise NotFound(f"No {ref.label} config to delete; it already inherits every value.")
        _check_expected(ref, current, expected_version)
        before = dict(row.parameters)
        if validate_only:
            return _dry_run(ref, current, before, {}, row)
        row.delete()
        _record(ref, ConfigAction.DELETE, current + 1, before, {}, changed_by, agent, reason, None)
        return ConfigChange(ref, "deleted", current + 1, before, {}, _resolved(ref, {}), None)


def config_rollback(
    *,
    ref: ScopeRef,
    version: int,
    changed_by: str,
    reason: str,
    agent: str = "",
    expected_version: int | None = None,
    validate_only: bool = False,
) -> ConfigChange:
    """Restore the scope's parameters as they were right after ``version``. The
    rollback is itself a new, audited version; rolling back to a delete removes
    the scope's overrides again."""
    if not validate_only:
        _require_reason(reason)
    with transaction.atomic():
        row, current = _locked(ref)
        _check_expected(ref, current, expected_version)
        target = TradingConfigVersion.objects.filter(
            scope=ref.scope, symbol=ref.symbol, side=ref.side, version=version
        ).first()
        if target is None:
            raise NotFound(f"{ref.label} has no version {version}; see /api/v1/config/trading/history.")
        after = dict(target.parameters_after)
        _validated(after, ())  # bounds may have tightened since: never restore a value the schema now refuses
        before = dict(row.parameters) if row else {}
        if validate_only:
            return _dry_run(ref, current, before, after, row)
        if after:
            row = _save(ref, row, after, current + 1, changed_by)
        elif row is not None:
            row.delete()
            row = None
        _record(ref, ConfigAction.ROLLBACK, current + 1, before, after, changed_by, agent, reason, version)
        return ConfigChange(ref, "rolled_back", current + 1, before, after, _resolved(ref, after), row)


def config_preview(*, ref: ScopeRef, parameters: dict[str, Any], side: str = "") -> ResolvedConfig:
    """The resolved config if ``ref`` held exactly ``parameters`` (stored form),
    seen by a trade on the scope's symbol and side (``side`` for a symbol scope)."""
    rows = config_rows(symbol=ref.symbol) if ref.symbol else _global_only()
    rows[ref.key] = parameters
    return config_merge(rows, symbol=ref.symbol, side=ref.side or side)


# --- helpers ---------------------------------------------------------------------


def _validated(parameters: Any, unset: Any) -> dict[str, Any]:
    if not isinstance(parameters, dict):
        raise InvalidInput("parameters must be an object of name -> value.", fields={"parameters": ["Not an object."]})
    if not isinstance(unset, (list, tuple)) or not all(isinstance(name, str) for name in unset):
        raise InvalidInput("unset must be a list of parameter names.", fields={"unset": ["Not a list of names."]})
    clean, errors = parameters_clean(parameters)
    for name in unset:
        if name not in PARAMETERS:
            errors.setdefault(name, []).append(
                {"code": "UNKNOWN_PARAMETER", "message": f"Unknown parameter {name!r} in unset", "valid": {}}
            )
    if errors:
        first = next(iter(errors.values()))[0]["message"]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise InvalidInput(f"Invalid trading parameters: {first}{more}", fields=errors)
    return clean


def _require_reason(reason: str) -> None:
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInput("A reason is required for a config change.", fields={"reason": ["This field is required."]})


def _locked(ref: ScopeRef) -> tuple[TradingConfig | None, int]:
    """The scope's row (locked) and its current version. The advisory lock also
    serializes the first write of a scope that has no row yet."""
    lock_for_transaction(f"configs_app:{ref.label}")
    row = TradingConfig.objects.select_for_update().filter(scope=ref.scope, symbol=ref.symbol, side=ref.side).first()
    if row is not None:
        return row, row.version
    last = TradingConfigVersion.objects.filter(scope=ref.scope, symbol=ref.symbol, side=ref.side).aggregate(
        last=Max("version")
    )["last"]
    return None, last or 0


def _check_expected(ref: ScopeRef, current: int, expected: int | None) -> None:
    if expected is not None and expected != current:
        raise Conflict(
            f"{ref.label} is at version {current}, not {expected}: someone changed it; re-read and retry.",
            code="stale_version",
            fields={"expected_version": [f"Current version is {current}."]},
        )


def _save(
    ref: ScopeRef, row: TradingConfig | None, after: dict[str, Any], version: int, changed_by: str
) -> TradingConfig:
    if row is None:
        row = TradingConfig(scope=ref.scope, symbol=ref.symbol, side=ref.side)
    row.parameters = after
    row.version = version
    row.updated_by = changed_by
    row.save()
    return row


def _record(
    ref: ScopeRef,
    action: str,
    version: int,
    before: dict[str, Any],
    after: dict[str, Any],
    changed_by: str,
    agent: str,
    reason: str,
    rolled_back_to: int | None,
) -> None:
    entry = TradingConfigVersion.objects.create(
        scope=ref.scope,
        symbol=ref.symbol,
        side=ref.side,
        version=version,
        action=action,
        parameters_before=before,
        parameters_after=after,
        changed_by=changed_by,
        agent=agent[:128],
        reason=reason.strip(),
        rolled_back_to=rolled_back_to,
    )
    audit_record(
        kind="config.changed",
        entity_type="trading_config",
        entity_id=ref.label,
        actor=changed_by,
        data={
            "scope": ref.scope,
            "symbol": ref.symbol,
            "side": ref.side,
            "version": version,
            "action": action,
            "before": before,
            "after": after,
            "reason": entry.reason,
            "agent": entry.agent,
            "rolled_back_to": rolled_back_to,
            "history_id": entry.pk,
        },
    )
    config_changed_on_commit()


def _dry_run(
    ref: ScopeRef, current: int, before: dict[str, Any], after: dict[str, Any], row: TradingConfig | None
) -> ConfigChange:
    return ConfigChange(ref, "validated", current, before, after, _resolved(ref, after), row, validate_only=True)


def _resolved(ref: ScopeRef, after: dict[str, Any]) -> ResolvedConfig:
    return config_preview(ref=ref, parameters=after)


def _global_only() -> dict[tuple[str, str, str], dict[str, Any]]:
    row = TradingConfig.objects.filter(scope=Scope.GLOBAL).first()
    return {(Scope.GLOBAL, "", ""): row.parameters} if row else {}
