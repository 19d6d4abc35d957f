"""Trading configuration, stored per scope and merged over the schema defaults."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Scope(models.TextChoices):
    GLOBAL = "global", "Global"
    SYMBOL = "symbol", "Symbol"
    SYMBOL_SIDE = "symbol_side", "Symbol and side"


class Side(models.TextChoices):
    LONG = "LONG", "Long"
    SHORT = "SHORT", "Short"


class TradingConfig(models.Model):
    """The parameters one scope overrides. Keys and values are checked against
    configs_app.schema before they are saved."""

    scope = models.CharField(max_length=16, choices=Scope.choices, default=Scope.GLOBAL)
    symbol = models.CharField(max_length=20, blank=True, default="")
    side = models.CharField(max_length=5, choices=Side.choices, blank=True, default="")
    parameters = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.CharField(max_length=128, default="system")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "symbol", "side"], name="one_config_per_scope"),
            models.CheckConstraint(
                condition=(
                    models.Q(scope="global", symbol="", side="")
                    | models.Q(scope="symbol", side="") & ~models.Q(symbol="")
                    | models.Q(scope="symbol_side") & ~models.Q(symbol="") & ~models.Q(side="")
                ),
                name="config_scope_matches_keys",
            ),
        ]
        ordering = ["scope", "symbol", "side"]

    def __str__(self) -> str:
        return " ".join(part for part in (self.scope, self.symbol, self.side) if part)


class ConfigAction(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    DELETE = "delete", "Deleted (reset to inherited values)"
    ROLLBACK = "rollback", "Rolled back"


class TradingConfigVersion(models.Model):
    """One committed change of one scope: the history that rollback reads.

    Keyed by the scope's (scope, symbol, side), not by a foreign key, so the
    history survives a DELETE of the scope and versions keep counting up
    across delete and re-create. Rows are written by configs_app.services only.
    """

    scope = models.CharField(max_length=16, choices=Scope.choices)
    symbol = models.CharField(max_length=20, blank=True, default="")
    side = models.CharField(max_length=5, choices=Side.choices, blank=True, default="")
    version = models.PositiveIntegerField()
    action = models.CharField(max_length=10, choices=ConfigAction.choices)
    parameters_before = models.JSONField(default=dict, blank=True)
    parameters_after = models.JSONField(default=dict, blank=True)
    changed_by = models.CharField(max_length=128, help_text="The authenticated user: user:<username>")
    agent = models.CharField(max_length=128, blank=True, help_text="The client's own label (the body's changed_by)")
    reason = models.TextField()
    rolled_back_to = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "symbol", "side", "version"], name="one_row_per_config_version"),
        ]
        ordering = ["-id"]

    def __str__(self) -> str:
        label = " ".join(part for part in (self.scope, self.symbol, self.side) if part)
        return f"{label} v{self.version} {self.action}"
