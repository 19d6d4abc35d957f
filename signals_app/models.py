"""Strategies and the signals they send."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

PRICE = {"max_digits": 30, "decimal_places": 12}


class Strategy(models.Model):
    """A sender of signals, authenticated by its own API key (stored hashed)."""

    name = models.SlugField(max_length=64, unique=True, help_text="The strategy_id in signal payloads")
    description = models.CharField(max_length=255, blank=True)
    key_prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    key_rotated_at = models.DateTimeField(null=True, blank=True, editable=False)
    weight = models.DecimalField(max_digits=8, decimal_places=4, default=Decimal("1"))
    is_active = models.BooleanField(default=True)
    # HMAC signing needs the secret itself on our side (a hash cannot verify an
    # HMAC); it is generated here, shown once, and never rendered by the admin.
    signing_secret = models.CharField(max_length=64, blank=True, editable=False)
    require_signature = models.BooleanField(default=False, help_text="Refuse requests without a valid HMAC signature")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "strategies"

    def __str__(self) -> str:
        return self.name


class SignatureNonce(models.Model):
    """Signatures already used, so a captured request cannot be replayed.
    Rows older than the timestamp tolerance can go: such a replay fails as stale."""

    signature = models.CharField(max_length=64, unique=True)
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.signature[:12]


class Action(models.TextChoices):
    BUY = "buy"
    SELL = "sell"
    HOLD = "hold"
    CLOSE = "close"


class Strength(models.TextChoices):
    WEAK = "weak"
    MEDIUM = "medium"
    STRONG = "strong"
    EXTREME = "extreme"


class Mode(models.TextChoices):
    DETERMINISTIC = "deterministic"
    ML_LIGHT = "ml_light"
    LLM_REASONING = "llm_reasoning"


class OrderType(models.TextChoices):
    MARKET = "market"
    LIMIT = "limit"
    STOP = "stop"
    STOP_LIMIT = "stop_limit"
    TAKE_PROFIT = "take_profit"
    TAKE_PROFIT_LIMIT = "take_profit_limit"
    CONDITIONAL_LIMIT = "conditional_limit"
    CONDITIONAL_STOP = "conditional_stop"


class TimeInForce(models.TextChoices):
    GTC = "GTC"
    IOC = "IOC"
    FOK = "FOK"
    GTX = "GTX"


class Source(models.TextChoices):
    API = "api"
    NATS = "nats"
    MANUAL = "manual"
    AI_ADVISOR = "ai_advisor"
    BUILTIN = "builtin"


class SignalStatus(models.TextChoices):
    RECEIVED = "received"  # saved by intake, waiting for aggregation
    ACCEPTED = "accepted"  # passed aggregation, waiting for the risk gate and execution
    PENDING_REVIEW = "pending_review"  # waiting for an operator
    HELD = "held"  # a hold signal: recorded, does nothing
    REJECTED = "rejected"  # by aggregation or the risk gate; see status_reason
    ORDERED = "ordered"  # the risk gate approved it and an order exists
    EXPIRED = "expired"


FINAL_SIGNAL_STATUSES = frozenset({SignalStatus.HELD, SignalStatus.REJECTED, SignalStatus.ORDERED, SignalStatus.EXPIRED})


class Signal(models.Model):
    strategy = models.ForeignKey(Strategy, on_delete=models.PROTECT, related_name="signals")
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.API)
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)
    request_hash = models.CharField(max_length=64, blank=True, help_text="sha256 of the canonical payload")
    correlation_id = models.CharField(max_length=64, blank=True)

    symbol = models.CharField(max_length=20, db_index=True)
    action = models.CharField(max_length=8, choices=Action.choices)
    confidence = models.DecimalField(max_digits=6, decimal_places=5)
    strength = models.CharField(max_length=8, choices=Strength.choices, default=Strength.MEDIUM)
    strategy_mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.DETERMINISTIC)
    timeframe = models.CharField(max_length=8, default="1h")

    price = models.DecimalField(**PRICE, null=True, blank=True)
    current_price = models.DecimalField(**PRICE, null=True, blank=True)
    quantity = models.DecimalField(**PRICE, null=True, blank=True)
    quote_quantity = models.DecimalField(**PRICE, null=True, blank=True)
    # Blank: the trading config's default_order_type / time_in_force decide at execution.
    order_type = models.CharField(max_length=20, choices=OrderType.choices, blank=True, default="")
    time_in_force = models.CharField(max_length=3, choices=TimeInForce.choices, blank=True, default="")
    position_size_pct = models.DecimalField(max_digits=8, decimal_places=6, null=True, blank=True)
    stop_loss = models.DecimalField(**PRICE, null=True, blank=True)
    stop_loss_pct = models.DecimalField(max_digits=8, decimal_places=6, null=True, blank=True)
    take_profit = models.DecimalField(**PRICE, null=True, blank=True)
    take_profit_pct = models.DecimalField(max_digits=8, decimal_places=6, null=True, blank=True)
    conditional_price = models.DecimalField(**PRICE, null=True, blank=True)
    conditional_direction = models.CharField(max_length=5, blank=True)
    conditional_timeout = models.PositiveIntegerField(null=True, blank=True)
    iceberg_quantity = models.DecimalField(**PRICE, null=True, blank=True)
    model_confidence = models.DecimalField(max_digits=6, decimal_places=5, null=True, blank=True)
    model_features = models.JSONField(null=True, blank=True)
    llm_reasoning = models.TextField(blank=True)
    llm_alternatives = models.JSONField(null=True, blank=True)
    indicators = models.JSONField(null=True, blank=True)
    rationale = models.TextField(blank=True)
    meta = models.JSONField(default=dict, blank=True)
    signal_timestamp = models.DateTimeField(help_text="When the strategy produced it (UTC)")

    # Set by aggregation, for the record and for the stages after it.
    effective_confidence = models.DecimalField(
        max_digits=6, decimal_places=5, null=True, blank=True, help_text="Confidence after the processing mode"
    )
    strength_score = models.DecimalField(
        max_digits=12, decimal_places=6, null=True, blank=True, help_text="Conflict strength (seed 000 formula)"
    )
    aggregated_action = models.CharField(
        max_length=8, choices=Action.choices, blank=True, help_text="What weighted_average turned the action into"
    )

    status = models.CharField(max_length=16, choices=SignalStatus.choices, default=SignalStatus.RECEIVED)
    status_reason = models.CharField(max_length=64, blank=True, help_text="Stable code for the last transition")
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        permissions = [("review_signal", "Can approve or reject signals waiting for manual review")]
        constraints = [
            models.UniqueConstraint(
                fields=["strategy", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="one_signal_per_idempotency_key",
            )
        ]
        indexes = [
            models.Index(fields=["status", "updated_at"]),
            models.Index(fields=["symbol", "status", "received_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.strategy_id} {self.action} {self.symbol}"

    @property
    def effective_action(self) -> str:
        """The action that executes: weighted_average may have changed it."""
        return self.aggregated_action or self.action


class SignalReview(Signal):
    """The manual-review queue: signals waiting for an operator."""

    class Meta:
        proxy = True
        verbose_name = "signal needing review"
        verbose_name_plural = "signals needing review"


# AI trade ideas live in their own module; imported here so Django finds the model.
from signals_app.models_ideas import TradeIdea  # noqa: E402, F401
# Built-in strategies' config and state live with their engine; imported here so Django finds them.
from signals_app.engine.models import BuiltinStrategy, BuiltinStrategyState  # noqa: E402, F401
