"""A hash chain over the audit trail, and its verification.

Every AuditEvent is sealed by an AuditSeal whose hash covers the event's content
and the previous seal's hash. Editing, deleting or slipping in an event, even
with the append-only trigger disabled by someone with table ownership, breaks
the chain at that event, and ``manage.py verify_audit`` names it.

Sealing runs after commit in one sealer at a time (beat task or the embedded
sweeper), not inside audit_record: a chain computed at insert time would make
every transaction in the system wait for one lock.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from petrosa.core.locks import lock_for_transaction
from petrosa.core.models import AuditEvent, AuditSeal

GENESIS = "0" * 64
# Events commit out of id order; one whose transaction ran long can commit after
# later ids were sealed. The sealer looks back this many ids for such stragglers.
STRAGGLER_WINDOW = 10_000
# An unsealed event older than this is reported by verify_audit: the sealer runs
# every few seconds, so it was either slipped in or the sealer is not running.
UNSEALED_GRACE = timedelta(minutes=5)


def audit_event_digest(event: AuditEvent, prev_hash: str) -> str:
    content = json.dumps(
        [
            event.pk,
            event.created_at.isoformat(),
            event.kind,
            event.entity_type,
            event.entity_id,
            event.actor,
            event.correlation_id,
            event.data,
        ],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(f"{prev_hash}|{content}".encode()).hexdigest()


def audit_seal(*, batch: int = 5000) -> int:
    """Seal the events not sealed yet, in id order; returns how many."""
    with transaction.atomic():
        lock_for_transaction("audit-seal")
        last = AuditSeal.objects.order_by("-seq").first()
        floor = max((AuditSeal.objects.order_by("-event_id").values_list("event_id", flat=True).first() or 0)
                    - STRAGGLER_WINDOW, 0)  # fmt: skip
        pending = (
            AuditEvent.objects.filter(pk__gt=floor)
            .filter(~Exists(AuditSeal.objects.filter(event_id=OuterRef("pk"))))
            .order_by("pk")[:batch]
        )
        seq, prev_hash = (last.seq, last.hash) if last else (0, GENESIS)
        seals = []
        for event in pending:
            seq += 1
            digest = audit_event_digest(event, prev_hash)
            seals.append(AuditSeal(seq=seq, event_id=event.pk, prev_hash=prev_hash, hash=digest))
            prev_hash = digest
        AuditSeal.objects.bulk_create(seals)
    return len(seals)


@dataclass
class AuditVerification:
    sealed: int = 0
    unsealed_recent: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def audit_verify(*, chunk: int = 5000) -> AuditVerification:
    """Walk the whole chain; every broken link is reported with its event id."""
    result = AuditVerification()
    prev_hash, after_seq = GENESIS, 0
    while True:
        seals = list(AuditSeal.objects.filter(seq__gt=after_seq).order_by("seq")[:chunk])
        if not seals:
            break
        events = AuditEvent.objects.in_bulk([seal.event_id for seal in seals])
        for seal in seals:
            event = events.get(seal.event_id)
            if seal.prev_hash != prev_hash:
                result.problems.append(f"seal {seal.seq} (event {seal.event_id}): chain broken before this link")
            if event is None:
                result.problems.append(f"event {seal.event_id}: sealed but missing (deleted)")
            elif audit_event_digest(event, seal.prev_hash) != seal.hash:
                result.problems.append(f"event {seal.event_id}: content differs from its seal (tampered)")
            prev_hash, after_seq = seal.hash, seal.seq
            result.sealed += 1
    cutoff = timezone.now() - UNSEALED_GRACE
    unsealed = AuditEvent.objects.filter(~Exists(AuditSeal.objects.filter(event_id=OuterRef("pk"))))
    for event_id in unsealed.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:100]:
        result.problems.append(f"event {event_id}: not sealed (inserted behind the sealer, or the sealer is down)")
    result.unsealed_recent = unsealed.filter(created_at__gte=cutoff).count()
    return result
