"""Models every layer shares: the audit trail, the last market price and user API tokens."""

from __future__ import annotations

from django.conf import settings
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


class UserToken(models.Model):
    """An API token for a person's scripts or agents (not a strategy): it acts
    as its user, with that user's permissions. Only a sha256 digest is stored;
    the plaintext is shown once (petrosa.core.user_tokens)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=64, blank=True, help_text="What the token is for, e.g. llm-config-agent")
    prefix = models.CharField(max_length=16, unique=True, editable=False, help_text="Public part, for lookup")
    digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.user} {self.name or self.prefix}"


class AuditSeal(models.Model):
    """One link of the hash chain over the audit trail (petrosa.core.audit_chain).

    Seals are written by a single sealer in chain order, after the events commit,
    so audit writes never contend on the chain. No foreign key on purpose: a
    seal must outlive a deleted event, so that the deletion shows up in
    ``manage.py verify_audit``. Append-only like the events (migration 0005).
    """

    seq = models.BigIntegerField(primary_key=True, help_text="Position in the chain, from 1")
    event_id = models.BigIntegerField(unique=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"seal {self.seq}: event {self.event_id}"
