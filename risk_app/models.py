"""The risk gate's records and the portfolio it guards."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils import timezone

from signals_app.models import Signal

MONEY = {"max_digits": 30, "decimal_places": 12}


class RiskDecision(models.Model):
    """The gate's verdict on one signal: every rule, with a stable reason code.

    One per signal (OneToOne): a redelivered task cannot decide twice. An
    approved entry is a reservation from the moment it is recorded: it counts
    toward exposure, position counts, daily trades and the order rate before
    its order has filled, so a burst of approvals cannot overshoot a limit.
    """

    signal = models.OneToOneField(Signal, on_delete=models.PROTECT, related_name="risk_decision")
    approved = models.BooleanField()
    reason_code = models.CharField(max_length=64, help_text="approved, or the first failing rule's code")
    verdicts = models.JSONField(default=list)
    symbol = models.CharField(max_length=20, blank=True)
    side = models.CharField(max_length=4, blank=True)
    position_side = models.CharField(max_length=5, blank=True)
    quantity = models.DecimalField(**MONEY, null=True, blank=True)
    price = models.DecimalField(**MONEY, null=True, blank=True)
    notional = models.DecimalField(**MONEY, null=True, blank=True)
    reduce_only = models.BooleanField(default=False)
    # The gate's clock (risk_evaluate's now), so the day and the last minute it
    # counts entries in are measured on the same clock it judges with.
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["approved", "reduce_only", "created_at"], name="risk_decision_approved_at")]

    def __str__(self) -> str:
        return f"decision #{self.pk} on signal {self.signal_id}: {self.reason_code}"


class TradingMode(models.TextChoices):
    ACTIVE = "active", "Active: entries and exits"
    REDUCE_ONLY = "reduce_only", "Reduce-only: exits only"
    HALTED = "halted", "Halted: kill switch on, exits only"


class RiskState(models.Model):
    """The kill switch and the daily-loss breaker. A single row (pk=1), locked when it changes.

    The two are independent: an operator sets the mode; the breaker trips on
    its own and only an operator's re-arm clears it. New entries need both
    the mode to be active and the breaker to be armed.
    """

    mode = models.CharField(max_length=16, choices=TradingMode.choices, default=TradingMode.ACTIVE)
    reason = models.CharField(max_length=500, blank=True)
    changed_by = models.CharField(max_length=128, default="system")
    changed_at = models.DateTimeField(auto_now=True)
    breaker_tripped = models.BooleanField(default=False)
    breaker_tripped_at = models.DateTimeField(null=True, blank=True)
    breaker_detail = models.JSONField(default=dict, blank=True, help_text="Daily P&L and limit when it tripped")
    breaker_rearmed_by = models.CharField(max_length=128, blank=True)
    breaker_rearmed_at = models.DateTimeField(null=True, blank=True)
    breaker_rearm_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = "risk state (kill switch)"
        verbose_name_plural = "risk state (kill switch)"
        permissions = [("rearm_breaker", "Can re-arm the daily-loss circuit breaker")]

    def __str__(self) -> str:
        breaker = " (daily-loss breaker tripped)" if self.breaker_tripped else ""
        return f"{self.get_mode_display()}{breaker}"

    @property
    def effective_mode(self) -> str:
        """What the gate applies: the operator's mode, at least reduce-only while the breaker is tripped."""
        if self.mode == TradingMode.ACTIVE and self.breaker_tripped:
            return TradingMode.REDUCE_ONLY
        return self.mode


class PortfolioDay(models.Model):
    """The portfolio at the start of one UTC day, so "today's P&L" is exact.

    Written once per day, before the day's first fill is booked (the fill
    path opens the day first), so start_realized_pnl is exactly the realized
    P&L at 00:00 UTC. loss_baseline_equity is what the daily-loss breaker
    measures from: the start-of-day equity, or the equity at an operator's
    re-arm later that day (so a re-arm is not undone by the same loss).
    """

    day = models.DateField(unique=True)
    start_equity = models.DecimalField(**MONEY)
    start_realized_pnl = models.DecimalField(**MONEY)
    start_unrealized_pnl = models.DecimalField(**MONEY)
    loss_baseline_equity = models.DecimalField(**MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day}: start equity {self.start_equity}"


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
