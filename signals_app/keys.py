"""Strategy API keys: generated once, shown once, stored as a hash.

A key looks like ``ptk_<prefix>_<secret>``. The prefix finds the row with an
index lookup; the secret is compared by hash in constant time. Keys carry
256 bits of randomness, so a fast hash (sha256) is enough; a slow password
hash would only slow every request down.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

KEY_PREFIX = "ptk"


@dataclass(frozen=True)
class IssuedKey:
    plaintext: str
    prefix: str
    digest: str


def key_issue() -> IssuedKey:
    prefix = secrets.token_hex(6)
    plaintext = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    return IssuedKey(plaintext=plaintext, prefix=prefix, digest=key_digest(plaintext))


def key_digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def key_prefix_of(plaintext: str) -> str | None:
    parts = plaintext.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1]


def key_matches(plaintext: str, digest: str) -> bool:
    return hmac.compare_digest(key_digest(plaintext), digest)
