"""The risk gate's records and the portfolio it guards."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from signals_app.models import Signal

MONEY = {"max_digits": 30, "decimal_places": 12}


class RiskDecision(models.Model):
    """The gate's verdict on one signal: every rule, with a stable reason code.

    One per signal (OneToOne): a redelivered task cannot decide twice.
    """

    signal = models.OneToOneField(Signal, on_delete=models.PROTECT, related_name="risk_decision")
    approved = models.BooleanField()
    reason_code = models.CharField(max_length=64, help_text="approved, or the first failing rule's code")
    verdicts = models.JSONField(default=list)
    side = models.CharField(max_length=4, blank=True)
    position_side = models.CharField(max_length=5, blank=True)
    quantity = models.DecimalField(**MONEY, null=True, blank=True)
    price = models.DecimalField(**MONEY, null=True, blank=True)
    notional = models.DecimalField(**MONEY, null=True, blank=True)
    reduce_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"decision #{self.pk} on signal {self.signal_id}: {self.reason_code}"


class TradingMode(models.TextChoices):
    ACTIVE = "active", "Active: entries and exits"
    REDUCE_ONLY = "reduce_only", "Reduce-only: exits only"
    HALTED = "halted", "Halted: kill switch on, exits only"


class RiskState(models.Model):
    """The kill switch. A single row (pk=1), locked when it changes."""

    mode = models.CharField(max_length=16, choices=TradingMode.choices, default=TradingMode.ACTIVE)
    reason = models.CharField(max_length=500, blank=True)
    changed_by = models.CharField(max_length=128, default="system")
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "risk state (kill switch)"
        verbose_name_plural = "risk state (kill switch)"

    def __str__(self) -> str:
        return self.get_mode_display()


class PositionSide(models.TextChoices):
    LONG = "LONG"
    SHORT = "SHORT"


class Position(models.Model):
    """What we hold in one symbol on one side. Quantity 0 means flat; the row
    stays so realized P&L keeps accumulating in one place."""

    symbol = models.CharField(max_length=20)
    side = models.CharField(max_length=5, choices=PositionSide.choices)
    quantity = models.DecimalField(**MONEY, default=Decimal("0"))
    avg_entry_price = models.DecimalField(**MONEY, default=Decimal("0"))
    realized_pnl = models.DecimalField(**MONEY, default=Decimal("0"), help_text="Net of all fees paid")
    fees_paid = models.DecimalField(**MONEY, default=Decimal("0"))
    mark_price = models.DecimalField(**MONEY, null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["symbol", "side"]
        constraints = [
            models.UniqueConstraint(fields=["symbol", "side"], name="one_position_per_symbol_side"),
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="position_quantity_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.symbol} {self.side} {self.quantity}"

    @property
    def unrealized_pnl(self) -> Decimal:
        if not self.quantity or self.mark_price is None:
            return Decimal("0")
        direction = 1 if self.side == PositionSide.LONG else -1
        return (self.mark_price - self.avg_entry_price) * self.quantity * direction
