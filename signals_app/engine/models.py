"""Built-in strategies' configuration and their per-symbol state.

Imported by signals_app.models so Django finds them. The name, weight and
active flag live on the strategy's own Strategy row, exactly as for an
external strategy.
"""

from __future__ import annotations

from django.db import models


class BuiltinStrategy(models.Model):
    strategy = models.OneToOneField("signals_app.Strategy", on_delete=models.PROTECT, related_name="builtin")
    kind = models.CharField(max_length=32, help_text="Which shipped strategy: ma_crossover or rsi_reversion")
    symbols = models.JSONField(default=list, help_text="The symbols it trades, e.g. [\"BTCUSDT\"]")
    parameters = models.JSONField(default=dict, help_text="The kind's parameters; missing ones take the default")
    timeframe = models.CharField(max_length=8, default="1m", help_text="The timeframe its signals carry")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "built-in strategy"
        verbose_name_plural = "built-in strategies"

    def __str__(self) -> str:
        return f"{self.strategy.name} ({self.kind})"


class BuiltinStrategyState(models.Model):
    """What a built-in strategy remembers about one symbol between ticks
    (price window, last crossover, last signal). Locked while a tick uses it."""

    builtin = models.ForeignKey(BuiltinStrategy, on_delete=models.CASCADE, related_name="states")
    symbol = models.CharField(max_length=20)
    data = models.JSONField(default=dict, blank=True)
    indicators = models.JSONField(default=dict, blank=True, help_text="As of the last tick")
    last_event_at = models.DateTimeField(null=True, blank=True, help_text="The last tick processed")
    last_signal_action = models.CharField(max_length=8, blank=True)
    last_signal_at = models.DateTimeField(null=True, blank=True)
    last_signal_id = models.BigIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["builtin_id", "symbol"]
        verbose_name = "built-in strategy state"
        constraints = [models.UniqueConstraint(fields=["builtin", "symbol"], name="one_state_per_builtin_symbol")]

    def __str__(self) -> str:
        return f"{self.builtin_id}:{self.symbol}"
