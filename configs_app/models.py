"""Trading configuration, stored per scope and merged over the schema defaults."""

from __future__ import annotations

from django.db import models


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
