"""Reading and writing trading configuration. Other apps import from here."""

from __future__ import annotations

from configs_app.services.changes import (
    ConfigChange,
    ScopeRef,
    config_delete,
    config_preview,
    config_rollback,
    config_scope,
    config_set,
    config_set_global,
)
from configs_app.services.resolve import (
    ResolvedConfig,
    config_generation,
    config_resolve,
    config_resolve_explained,
)

__all__ = [
    "ConfigChange",
    "ResolvedConfig",
    "ScopeRef",
    "config_delete",
    "config_generation",
    "config_preview",
    "config_resolve",
    "config_resolve_explained",
    "config_rollback",
    "config_scope",
    "config_set",
    "config_set_global",
]
