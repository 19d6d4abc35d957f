"""AI trade ideas (seed 003): an advisor's suggestion that waits for a human.

An idea is never an order. A reviewer approves it, and only then does it
become a Signal from the ``ai_advisor`` source, which goes through
aggregation and the risk gate like any other signal.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class IdeaAction(models.TextChoices):
    BUY = "buy"
    SELL = "sell"
    CLOSE = "close"


class IdeaStatus(models.TextChoices):
    PENDING = "pending"  # waiting for a reviewer
    APPROVED = "approved"  # became a signal (see TradeIdea.signal)
    REJECTED = "rejected"  # a reviewer said no, with a reason
    EXPIRED = "expired"  # nobody decided before expires_at


class AdvisorKind(models.TextChoices):
    RULES = "rules", "Rules (offline, transparent)"
    LLM = "llm", "LLM (OpenAI-compatible endpoint)"


class TradeIdea(models.Model):
    symbol = models.CharField(max_length=20, db_index=True)
    action = models.CharField(max_length=8, choices=IdeaAction.choices)
    side = models.CharField(max_length=5, blank=True, help_text="LONG or SHORT: the position a close idea targets")
    rationale = models.TextField()
    confidence = models.DecimalField(max_digits=6, decimal_places=5)
    risk_notes = models.TextField(blank=True)
    rule = models.CharField(max_length=64, blank=True, help_text="The rule that produced it (rules advisor)")
    advisor = models.CharField(max_length=8, choices=AdvisorKind.choices, default=AdvisorKind.RULES)
    advisor_model = models.CharField(max_length=128, blank=True, help_text="The LLM model name, if any")
    inputs = models.JSONField(default=dict, blank=True, help_text="What the advisor looked at, for the record")
    status = models.CharField(max_length=10, choices=IdeaStatus.choices, default=IdeaStatus.PENDING)
    expires_at = models.DateTimeField()
    requested_by = models.CharField(max_length=128)
    decided_by = models.CharField(max_length=128, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    signal = models.OneToOneField(
        "signals_app.Signal", on_delete=models.PROTECT, null=True, blank=True, related_name="trade_idea"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "AI trade idea"
        permissions = [
            ("review_tradeidea", "Can approve or reject AI trade ideas"),
            ("request_analysis", "Can ask the AI advisor for trade ideas"),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"idea #{self.pk} {self.action} {self.symbol} [{self.status}]"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
