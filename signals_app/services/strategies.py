"""Creating strategies and issuing their keys."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from petrosa.core.audit import audit_record
from petrosa.core.errors import Conflict
from signals_app.keys import key_issue
from signals_app.models import Strategy
from signals_app.signing import signing_secret_issue


@transaction.atomic
def strategy_create(*, name: str, description: str = "", actor: str = "system") -> tuple[Strategy, str]:
    """Create a strategy; returns it with its API key, which is never shown again."""
    if Strategy.objects.filter(name=name).exists():
        raise Conflict(f"Strategy {name!r} already exists; rotate its key instead.", code="strategy_exists")
    issued = key_issue()
    strategy = Strategy.objects.create(
        name=name, description=description, key_prefix=issued.prefix, key_hash=issued.digest
    )
    audit_record(kind="strategy.created", entity_type="strategy", entity_id=strategy.pk, actor=actor)
    return strategy, issued.plaintext


@transaction.atomic
def strategy_rotate_key(*, strategy: Strategy, actor: str) -> str:
    """Replace a strategy's key; the old key stops working at commit."""
    issued = key_issue()
    Strategy.objects.filter(pk=strategy.pk).update(
        key_prefix=issued.prefix, key_hash=issued.digest, key_rotated_at=timezone.now()
    )
    strategy.key_prefix, strategy.key_hash = issued.prefix, issued.digest
    audit_record(kind="strategy.key_rotated", entity_type="strategy", entity_id=strategy.pk, actor=actor)
    return issued.plaintext


@transaction.atomic
def strategy_set_signing(*, strategy: Strategy, required: bool, actor: str) -> str | None:
    """Turn request signing on (returns a fresh secret, shown once) or off."""
    secret = signing_secret_issue() if required else ""
    Strategy.objects.filter(pk=strategy.pk).update(signing_secret=secret, require_signature=required)
    strategy.signing_secret, strategy.require_signature = secret, required
    audit_record(
        kind="strategy.signing_enabled" if required else "strategy.signing_disabled",
        entity_type="strategy",
        entity_id=strategy.pk,
        actor=actor,
    )
    return secret or None
