"""The paper exchange's own books: accounts, balances, orders, trades, positions.

These rows are the simulated exchange, not our view of it (that is Order and
Fill). They live in PostgreSQL so the Binance-compatible HTTP server, the
Celery workers and the web process all trade against one exchange. Statuses
and names are Binance's (NEW, PARTIALLY_FILLED, FILLED, ...), because the
engine answers in Binance's shapes.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models

MONEY = {"max_digits": 30, "decimal_places": 12}
ZERO = Decimal("0")

# Binance order statuses the paper exchange uses.
PAPER_OPEN_STATUSES = ("NEW", "PARTIALLY_FILLED")


class PaperAccount(models.Model):
    """One simulated Binance account on one market (spot or usdm). Every
    engine call that changes it locks this row first."""

    name = models.CharField(max_length=64)
    market = models.CharField(max_length=8)  # spot | usdm
    dual_side_position = models.BooleanField(default=False, help_text="Futures hedge mode")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "market"]
        constraints = [models.UniqueConstraint(fields=["name", "market"], name="paper_account_once_per_market")]

    def __str__(self) -> str:
        return f"paper {self.market} account {self.name}"


class PaperBalance(models.Model):
    """Spot: free and locked per asset. Futures: the wallet balance in ``free``
    (``locked`` stays 0; margin in use is computed from positions and orders)."""

    account = models.ForeignKey(PaperAccount, on_delete=models.CASCADE, related_name="balances")
    asset = models.CharField(max_length=16)
    free = models.DecimalField(**MONEY, default=ZERO)
    locked = models.DecimalField(**MONEY, default=ZERO)

    class Meta:
        ordering = ["asset"]
        constraints = [models.UniqueConstraint(fields=["account", "asset"], name="paper_balance_once_per_asset")]

    def __str__(self) -> str:
        return f"{self.asset} {self.free} (+{self.locked} locked)"


class PaperSymbolSetting(models.Model):
    """Futures leverage and margin type per symbol (Binance's defaults until changed)."""

    account = models.ForeignKey(PaperAccount, on_delete=models.CASCADE, related_name="symbol_settings")
    symbol = models.CharField(max_length=20)
    leverage = models.PositiveSmallIntegerField(default=20)
    margin_type = models.CharField(max_length=8, default="CROSSED")  # CROSSED | ISOLATED

    class Meta:
        ordering = ["symbol"]
        constraints = [models.UniqueConstraint(fields=["account", "symbol"], name="paper_setting_once_per_symbol")]

    def __str__(self) -> str:
        return f"{self.symbol} {self.leverage}x {self.margin_type}"


class PaperPosition(models.Model):
    """A futures position. ``amount`` is signed as Binance's positionAmt: BOTH
    (one-way) is long above 0 and short below; LONG is >= 0 and SHORT <= 0."""

    account = models.ForeignKey(PaperAccount, on_delete=models.CASCADE, related_name="positions")
    symbol = models.CharField(max_length=20)
    position_side = models.CharField(max_length=5)  # BOTH | LONG | SHORT
    amount = models.DecimalField(**MONEY, default=ZERO)
    entry_price = models.DecimalField(**MONEY, default=ZERO)
    realized_pnl = models.DecimalField(**MONEY, default=ZERO, help_text="Gross of fees, since the position opened")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["symbol", "position_side"]
        constraints = [
            models.UniqueConstraint(fields=["account", "symbol", "position_side"], name="paper_position_once_per_side")
        ]

    def __str__(self) -> str:
        return f"{self.symbol} {self.position_side} {self.amount} @ {self.entry_price}"


class PaperOrderList(models.Model):
    """A spot OCO: two orders, one cancels the other."""

    order_list_id = models.BigAutoField(primary_key=True)
    account = models.ForeignKey(PaperAccount, on_delete=models.CASCADE, related_name="order_lists")
    symbol = models.CharField(max_length=20)
    list_client_order_id = models.CharField(max_length=36)
    list_status_type = models.CharField(max_length=16, default="EXEC_STARTED")  # EXEC_STARTED | ALL_DONE
    list_order_status = models.CharField(max_length=16, default="EXECUTING")  # EXECUTING | ALL_DONE
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order_list_id"]

    def __str__(self) -> str:
        return f"paper OCO {self.order_list_id} {self.list_client_order_id}"


class PaperOrder(models.Model):
    """An order on the paper exchange. ``exchange_order_id`` is Binance's orderId.
    A client order id is unique among the symbol's open orders only, as on Binance."""

    exchange_order_id = models.BigAutoField(primary_key=True)
    account = models.ForeignKey(PaperAccount, on_delete=models.CASCADE, related_name="orders")
    client_order_id = models.CharField(max_length=36)
    symbol = models.CharField(max_length=20)
    side = models.CharField(max_length=4)
    order_type = models.CharField(max_length=24)
    orig_type = models.CharField(max_length=24, blank=True, help_text="Futures: the algo type it came from")
    time_in_force = models.CharField(max_length=3, blank=True)
    quantity = models.DecimalField(**MONEY)
    price = models.DecimalField(**MONEY, null=True, blank=True)
    stop_price = models.DecimalField(**MONEY, null=True, blank=True)
    status = models.CharField(max_length=20)
    executed_quantity = models.DecimalField(**MONEY, default=ZERO)
    cumulative_quote = models.DecimalField(**MONEY, default=ZERO)
    position_side = models.CharField(max_length=5, blank=True)
    reduce_only = models.BooleanField(default=False)
    close_position = models.BooleanField(default=False)
    is_working = models.BooleanField(default=True, help_text="False while a stop waits for its trigger")
    working_at = models.DateTimeField(null=True, blank=True)
    locked_asset = models.CharField(max_length=16, blank=True)
    locked_amount = models.DecimalField(**MONEY, default=ZERO, help_text="Spot funds this order still holds")
    order_list = models.ForeignKey(
        PaperOrderList, on_delete=models.CASCADE, null=True, blank=True, related_name="orders"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-exchange_order_id"]
        indexes = [
            models.Index(fields=["account", "symbol", "client_order_id"], name="paper_order_client_id"),
            models.Index(fields=["symbol", "status"], name="paper_order_symbol_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "symbol", "client_order_id"],
                condition=models.Q(status__in=PAPER_OPEN_STATUSES),
                name="paper_order_client_id_unique_while_open",
            )
        ]

    def __str__(self) -> str:
        return f"paper {self.exchange_order_id} {self.client_order_id}"

    @property
    def remaining(self) -> Decimal:
        return self.quantity - self.executed_quantity


class PaperTrade(models.Model):
    """One fill of a paper order; ``trade_id`` is Binance's trade id."""

    trade_id = models.BigAutoField(primary_key=True)
    order = models.ForeignKey(PaperOrder, on_delete=models.CASCADE, related_name="trades")
    account = models.ForeignKey(PaperAccount, on_delete=models.CASCADE, related_name="trades")
    symbol = models.CharField(max_length=20)
    side = models.CharField(max_length=4)
    position_side = models.CharField(max_length=5, blank=True)
    price = models.DecimalField(**MONEY)
    quantity = models.DecimalField(**MONEY)
    quote_quantity = models.DecimalField(**MONEY)
    commission = models.DecimalField(**MONEY)
    commission_asset = models.CharField(max_length=16)
    is_maker = models.BooleanField(default=False)
    realized_pnl = models.DecimalField(**MONEY, default=ZERO)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["trade_id"]
        indexes = [models.Index(fields=["account", "symbol", "trade_id"], name="paper_trade_account_symbol")]

    def __str__(self) -> str:
        return f"paper trade {self.trade_id}: {self.quantity} @ {self.price}"


class PaperAlgoOrder(models.Model):
    """A futures conditional order held by Binance's algo service until its
    trigger; then it places ``actual_order``."""

    algo_id = models.BigAutoField(primary_key=True)
    account = models.ForeignKey(PaperAccount, on_delete=models.CASCADE, related_name="algo_orders")
    client_algo_id = models.CharField(max_length=36)
    symbol = models.CharField(max_length=20)
    side = models.CharField(max_length=4)
    position_side = models.CharField(max_length=5)
    order_type = models.CharField(max_length=24)
    time_in_force = models.CharField(max_length=3, blank=True)
    quantity = models.DecimalField(**MONEY, null=True, blank=True)
    price = models.DecimalField(**MONEY, null=True, blank=True)
    trigger_price = models.DecimalField(**MONEY)
    working_type = models.CharField(max_length=16, default="CONTRACT_PRICE")
    close_position = models.BooleanField(default=False)
    reduce_only = models.BooleanField(default=False)
    price_protect = models.BooleanField(default=False)
    status = models.CharField(max_length=16, default="NEW")  # NEW | TRIGGERED | CANCELED | EXPIRED
    actual_order = models.OneToOneField(
        PaperOrder, on_delete=models.SET_NULL, null=True, blank=True, related_name="algo_order"
    )
    triggered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["algo_id"]
        indexes = [models.Index(fields=["symbol", "status"], name="paper_algo_symbol_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "symbol", "client_algo_id"],
                condition=models.Q(status="NEW"),
                name="paper_algo_client_id_unique_while_open",
            )
        ]

    def __str__(self) -> str:
        return f"paper algo {self.algo_id} {self.client_algo_id}"
