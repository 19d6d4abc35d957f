"""Models every layer shares: the audit trail and the last market price."""

from __future__ import annotations

from django.db import models


class AuditEvent(models.Model):
    """One step of the system's history. Append-only: the database refuses
    UPDATE and DELETE on this table (trigger in migration 0002)."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=64, db_index=True, help_text="What happened, e.g. signal.received")
    entity_type = models.CharField(max_length=32)
    entity_id = models.CharField(max_length=64)
    actor = models.CharField(max_length=128, help_text="strategy:<name>, user:<username> or system")
    correlation_id = models.CharField(max_length=64, blank=True, db_index=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["entity_type", "entity_id"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.entity_type}:{self.entity_id}"


class MarketPrice(models.Model):
    """The last known price per symbol; the paper exchange fills against it."""

    symbol = models.CharField(max_length=20, unique=True)
    price = models.DecimalField(max_digits=30, decimal_places=12)
    source = models.CharField(max_length=32, default="manual")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["symbol"]

    def __str__(self) -> str:
        return f"{self.symbol} {self.price}"
