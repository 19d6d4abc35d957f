"""Orders and fills, and the paper exchange's own book."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from risk_app.models import RiskDecision
from signals_app.models import Signal

MONEY = {"max_digits": 30, "decimal_places": 12}


class OrderStatus(models.TextChoices):
    PENDING = "pending"  # created, not yet claimed for sending
    SUBMITTING = "submitting"  # claimed by one worker; the exchange call is under way
    OPEN = "open"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELED = "canceled"
    REJECTED = "rejected"
    EXPIRED = "expired"
    UNKNOWN = "unknown"  # the exchange call's outcome is unknown: resolve by lookup, never resend


FINAL_ORDER_STATUSES = frozenset({OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.REJECTED, OrderStatus.EXPIRED})


class Order(models.Model):
    signal = models.ForeignKey(Signal, on_delete=models.PROTECT, related_name="orders")
    decision = models.ForeignKey(RiskDecision, on_delete=models.PROTECT, related_name="orders")
    client_order_id = models.CharField(max_length=36, unique=True)
    exchange = models.CharField(max_length=16, default="paper")
    exchange_order_id = models.CharField(max_length=64, blank=True)
    symbol = models.CharField(max_length=20, db_index=True)
    side = models.CharField(max_length=4)  # BUY / SELL
    position_side = models.CharField(max_length=5)  # LONG / SHORT
    order_type = models.CharField(max_length=24, default="MARKET")
    time_in_force = models.CharField(max_length=3, blank=True)
    quantity = models.DecimalField(**MONEY)
    price = models.DecimalField(**MONEY, null=True, blank=True)
    reduce_only = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    status_reason = models.CharField(max_length=128, blank=True)
    executed_quantity = models.DecimalField(**MONEY, default=Decimal("0"))
    average_price = models.DecimalField(**MONEY, null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.client_order_id} {self.side} {self.quantity} {self.symbol} [{self.status}]"


class Fill(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="fills")
    trade_id = models.CharField(max_length=64)
    price = models.DecimalField(**MONEY)
    quantity = models.DecimalField(**MONEY)
    quote_quantity = models.DecimalField(**MONEY)
    commission = models.DecimalField(**MONEY)
    commission_asset = models.CharField(max_length=12)
    commission_quote = models.DecimalField(**MONEY, help_text="The commission valued in the quote asset")
    is_maker = models.BooleanField(default=False)
    realized_pnl = models.DecimalField(**MONEY, default=Decimal("0"), help_text="Realized by this fill, net of fee")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["order", "trade_id"], name="one_fill_per_trade")]

    def __str__(self) -> str:
        return f"{self.quantity} @ {self.price} ({self.order.client_order_id})"


class PaperOrder(models.Model):
    """The in-process paper exchange's record of an order it accepted, so an
    order can be looked up by client order id exactly as on Binance."""

    client_order_id = models.CharField(max_length=36, unique=True)
    exchange_order_id = models.BigAutoField(primary_key=True)
    symbol = models.CharField(max_length=20)
    side = models.CharField(max_length=4)
    order_type = models.CharField(max_length=24)
    quantity = models.DecimalField(**MONEY)
    price = models.DecimalField(**MONEY, null=True, blank=True)
    status = models.CharField(max_length=20)
    executed_quantity = models.DecimalField(**MONEY, default=Decimal("0"))
    cumulative_quote = models.DecimalField(**MONEY, default=Decimal("0"))
    fills = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-exchange_order_id"]

    def __str__(self) -> str:
        return f"paper {self.exchange_order_id} {self.client_order_id}"
