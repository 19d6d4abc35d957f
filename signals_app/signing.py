"""Optional per-strategy request signing (HMAC-SHA256).

A strategy with require_signature sends, besides its key:

    X-Petrosa-Timestamp: <unix seconds>
    X-Petrosa-Signature: hex(HMAC-SHA256(secret, "<timestamp>\\n<METHOD>\\n<path>\\n" + raw body))

The timestamp must be within ±300 s of our clock, and each signature is
accepted once: a captured request replayed within the window is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed

from signals_app.models import SignatureNonce, Strategy

TOLERANCE_SECONDS = 300
TIMESTAMP_HEADER = "X-Petrosa-Timestamp"
SIGNATURE_HEADER = "X-Petrosa-Signature"


class SignatureRejected(AuthenticationFailed):
    def __init__(self, message: str, error_code: str) -> None:
        super().__init__(message)
        self.error_code = error_code


def signing_secret_issue() -> str:
    return secrets.token_hex(32)


def request_signature(*, secret: str, timestamp: str, method: str, path: str, body: bytes) -> str:
    message = f"{timestamp}\n{method.upper()}\n{path}\n".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_verify(
    *, strategy: Strategy, timestamp: str | None, signature: str | None, method: str, path: str, body: bytes
) -> None:
    """Raise SignatureRejected unless the request is signed, fresh and new."""
    if not timestamp or not signature:
        raise SignatureRejected(
            f"Strategy {strategy.name} must sign its requests ({TIMESTAMP_HEADER}, {SIGNATURE_HEADER}).",
            "signature_required",
        )
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise SignatureRejected(f"{TIMESTAMP_HEADER} must be unix seconds.", "stale_signature") from None
    if abs(time.time() - sent_at) > TOLERANCE_SECONDS:
        raise SignatureRejected(f"The signed timestamp is more than {TOLERANCE_SECONDS}s off.", "stale_signature")
    expected = request_signature(
        secret=strategy.signing_secret, timestamp=timestamp, method=method, path=path, body=body
    )
    if not hmac.compare_digest(expected, signature.strip().lower()):
        raise SignatureRejected("The request signature does not match.", "bad_signature")
    try:
        with transaction.atomic():
            SignatureNonce.objects.create(signature=expected, strategy=strategy)
    except IntegrityError:
        raise SignatureRejected("This signed request was already used.", "signature_replayed") from None


def signature_nonces_prune() -> int:
    """Forget signatures older than twice the tolerance: replaying them fails as stale anyway."""
    cutoff = timezone.now() - timedelta(seconds=2 * TOLERANCE_SECONDS)
    deleted, _ = SignatureNonce.objects.filter(created_at__lt=cutoff).delete()
    return deleted
