"""Leverage and margin type per futures symbol, and reconciliation with the exchange."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class SymbolLeverage(models.Model):
    """What we want (configured) and what the exchange applies (actual) for one
    futures symbol. ``in_sync`` is False while they differ, e.g. because the
    exchange refused a change with a position open; trading goes on at the
    actual leverage and the change is retried before the next trade."""

    symbol = models.CharField(max_length=20, unique=True)
    configured_leverage = models.PositiveSmallIntegerField(null=True, blank=True)
    configured_margin_type = models.CharField(max_length=8, blank=True, help_text="ISOLATED or CROSSED")
    actual_leverage = models.PositiveSmallIntegerField(null=True, blank=True)
    actual_margin_type = models.CharField(max_length=8, blank=True)
    in_sync = models.BooleanField(default=False)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    last_error_code = models.IntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=255, blank=True)
    forced_by = models.CharField(max_length=128, blank=True, help_text="The operator who last forced a setting")
    forced_at = models.DateTimeField(null=True, blank=True)
    force_reason = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["symbol"]
        verbose_name = "leverage and margin type"
        verbose_name_plural = "leverage and margin types"
        permissions = [("force_leverage", "Can force leverage and margin type on the exchange")]

    def __str__(self) -> str:
        return f"{self.symbol} {self.actual_leverage}x {self.actual_margin_type}"


class ReconciliationRun(models.Model):
    class Trigger(models.TextChoices):
        STARTUP = "startup", "Before the first trade of a process"
        SCHEDULE = "schedule", "Scheduled"
        MANUAL = "manual", "Operator"

    class Status(models.TextChoices):
        RUNNING = "running"
        COMPLETED = "completed"
        FAILED = "failed"

    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    exchange = models.CharField(max_length=32)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    orders_checked = models.PositiveIntegerField(default=0)
    positions_checked = models.PositiveIntegerField(default=0)
    differences_found = models.PositiveIntegerField(default=0)
    resolved_automatically = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"reconciliation #{self.pk} {self.trigger} {self.status}"


class IssueKind(models.TextChoices):
    UNKNOWN_TO_US = "unknown_to_us", "Open on the exchange, unknown to us"
    GONE_FROM_EXCHANGE = "gone_from_exchange", "Open for us, unknown to the exchange"
    STATUS_MISMATCH = "status_mismatch", "Status differs"
    QUANTITY_MISMATCH = "quantity_mismatch", "Executed quantity differs"
    POSITION_MISMATCH = "position_mismatch", "Position quantity differs"
    PROTECTIVE_MISSING = "protective_missing", "Protective order missing"
    PROTECTIVE_ORPHANED = "protective_orphaned", "Protective order without a position"


class IssueStatus(models.TextChoices):
    OPEN = "open"
    RESOLVED = "resolved"
    IGNORED = "ignored"


class IssueResolution(models.TextChoices):
    SYNCED = "synced", "Our books took the exchange's state (automatic)"
    VANISHED = "vanished", "The difference went away by itself"
    ADOPTED = "adopted", "Adopted the exchange's state"
    CLOSED = "closed", "Closed on the exchange"
    ORPHAN_CANCELED = "orphan_canceled", "Orphan cancelled on the exchange"
    IGNORED = "ignored", "Ignored, with a reason"


class ReconciliationIssue(models.Model):
    """One difference between our books and the exchange. Open issues block new
    trades on testnet/live until an operator (or a later run) resolves them."""

    run = models.ForeignKey(ReconciliationRun, on_delete=models.PROTECT, related_name="issues")
    last_seen_run = models.ForeignKey(ReconciliationRun, on_delete=models.PROTECT, related_name="+", null=True)
    fingerprint = models.CharField(max_length=128, help_text="kind:symbol:side:client order id")
    kind = models.CharField(max_length=24, choices=IssueKind.choices)
    symbol = models.CharField(max_length=20)
    position_side = models.CharField(max_length=5, blank=True)
    client_order_id = models.CharField(max_length=64, blank=True)
    order = models.ForeignKey("execution_app.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    ours = models.JSONField(default=dict, blank=True, help_text="Our books")
    theirs = models.JSONField(default=dict, blank=True, help_text="The exchange")
    status = models.CharField(max_length=16, choices=IssueStatus.choices, default=IssueStatus.OPEN)
    resolution = models.CharField(max_length=16, choices=IssueResolution.choices, blank=True)
    resolved_by = models.CharField(max_length=128, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    detail = models.JSONField(default=dict, blank=True, help_text="What the resolution did")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint"], condition=Q(status="open"), name="one_open_issue_per_difference"
            )
        ]
        permissions = [("resolve_reconciliation", "Can resolve reconciliation differences")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.symbol} {self.client_order_id}".strip()
