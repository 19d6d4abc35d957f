"""Orders and fills, the flags raised on unprotected positions, and the paper exchange's own book."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from risk_app.models import Position, RiskDecision
from signals_app.models import Signal

MONEY = {"max_digits": 30, "decimal_places": 12}


class OrderStatus(models.TextChoices):
    HELD = "held"  # a conditional order we keep until the price crosses its condition
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
# Working at the exchange: the only statuses a later fill can arrive in.
LIVE_ORDER_STATUSES = frozenset({OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED})


class OrderRole(models.TextChoices):
    ENTRY = "entry"  # opens or adds to a position
    STOP_LOSS = "stop_loss"  # protective leg of an entry (one-cancels-the-other with take_profit)
    TAKE_PROFIT = "take_profit"
    CLOSE = "close"  # reduce-only: a close signal, an operator's close, or a flatten


PROTECTIVE_ROLES = frozenset({OrderRole.STOP_LOSS, OrderRole.TAKE_PROFIT})


class Order(models.Model):
    signal = models.ForeignKey(Signal, on_delete=models.PROTECT, related_name="orders")
    decision = models.ForeignKey(RiskDecision, on_delete=models.PROTECT, related_name="orders")
    client_order_id = models.CharField(max_length=36, unique=True)
    exchange = models.CharField(max_length=16, default="paper")
    exchange_order_id = models.CharField(max_length=64, blank=True)
    symbol = models.CharField(max_length=20, db_index=True)
    side = models.CharField(max_length=4)  # BUY / SELL
    position_side = models.CharField(max_length=5)  # LONG / SHORT
    role = models.CharField(max_length=12, choices=OrderRole.choices, default=OrderRole.ENTRY)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        help_text="The entry a protective leg protects",
    )  # fmt: skip
    oco_group = models.CharField(
        max_length=36, blank=True, db_index=True, help_text="Legs sharing it are one-cancels-the-other"
    )
    order_type = models.CharField(max_length=24, default="MARKET", help_text="Binance's type name for the market")
    time_in_force = models.CharField(max_length=8, blank=True)
    quantity = models.DecimalField(**MONEY)
    price = models.DecimalField(**MONEY, null=True, blank=True, help_text="Limit price")
    stop_price = models.DecimalField(**MONEY, null=True, blank=True, help_text="Trigger price")
    reference_price = models.DecimalField(
        **MONEY, null=True, blank=True, help_text="Market price when sized; slippage is measured from it"
    )
    reduce_only = models.BooleanField(default=False)
    close_position = models.BooleanField(default=False)
    conditional_price = models.DecimalField(**MONEY, null=True, blank=True)
    conditional_direction = models.CharField(max_length=5, blank=True, help_text="above / below")
    expires_at = models.DateTimeField(null=True, blank=True, help_text="A held order expires unless triggered by then")
    leg_attempt = models.PositiveSmallIntegerField(
        default=1, help_text="Protective legs: 1 for the first placement, +1 for each retry"
    )
    params = models.JSONField(
        default=dict, blank=True, help_text="The execution parameters in force when the order was decided"
    )
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
        indexes = [
            models.Index(fields=["status", "updated_at"]),
            models.Index(fields=["symbol", "status"], name="order_symbol_status_idx"),
        ]
        permissions = [
            ("place_manual_order", "Can place manual orders (they still pass the risk gate)"),
            ("cancel_order", "Can cancel orders"),
        ]

    def __str__(self) -> str:
        return f"{self.client_order_id} {self.side} {self.quantity} {self.symbol} [{self.status}]"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_ORDER_STATUSES


class Fill(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="fills")
    exchange = models.CharField(max_length=16, default="paper")
    symbol = models.CharField(max_length=20, default="")
    trade_id = models.CharField(max_length=64, help_text="The exchange's trade id: a fill is recorded once")
    price = models.DecimalField(**MONEY)
    quantity = models.DecimalField(**MONEY)
    quote_quantity = models.DecimalField(**MONEY)
    commission = models.DecimalField(**MONEY)
    commission_asset = models.CharField(max_length=12)
    commission_quote = models.DecimalField(**MONEY, help_text="The commission valued in the quote asset")
    is_maker = models.BooleanField(default=False)
    position_quantity = models.DecimalField(
        **MONEY, null=True, blank=True,
        help_text="What reached the position: the quantity less a commission paid in the base asset",
    )  # fmt: skip
    realized_pnl = models.DecimalField(**MONEY, default=Decimal("0"), help_text="Realized by this fill, net of fee")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["exchange", "symbol", "trade_id"], name="one_fill_per_exchange_trade")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} @ {self.price} ({self.order.client_order_id})"


class PositionFlag(models.Model):
    """Something an operator must look at on one position, e.g. protection that
    could not be placed. Open until resolved (by an operator, or by the
    position being closed)."""

    class Kind(models.TextChoices):
        UNPROTECTED = "unprotected", "Protective order could not be placed"

    symbol = models.CharField(max_length=20)
    position_side = models.CharField(max_length=5)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="flags", help_text="The entry concerned")
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["symbol", "position_side", "resolved_at"], name="flag_position_open_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.symbol} {self.position_side}"


class PositionBook(Position):
    """The positions as execution shows them: live P&L, orders, flags, and the
    close action. A proxy: the row itself belongs to risk_app."""

    class Meta:
        proxy = True
        verbose_name = "position with P&L"
        verbose_name_plural = "positions with P&L"
        permissions = [("close_position", "Can close positions (reduce-only, through the risk gate)")]


# The paper exchange's own books live in their own module; imported here so
# Django registers them with this app.
from execution_app.models_paper import (  # noqa: E402,F401
    PaperAccount,
    PaperAlgoOrder,
    PaperBalance,
    PaperOrder,
    PaperOrderList,
    PaperPosition,
    PaperSymbolSetting,
    PaperTrade,
)
from execution_app.models_binance import (  # noqa: E402,F401
    ReconciliationIssue,
    ReconciliationRun,
    SymbolLeverage,
)
