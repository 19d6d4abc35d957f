"""Binance's request signature, checked the way Binance checks it.

The signed payload is the query string concatenated, with no separator, with
the request body, both without the ``signature`` parameter; the signature is
the hex HMAC-SHA256 of that payload under the API secret (not case-sensitive).

python-binance signs the *unencoded* values (only ``symbol`` is quoted) while
``requests`` form-encodes the body, so the two differ as soon as a value holds
a character outside ``[A-Za-z0-9._-]``. Binance itself now signs the encoded
form; we accept either, as a tolerant local exchange should.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import unquote_plus


def hmac_sha256_hex(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def without_signature(raw: str) -> str:
    """``raw`` (a query string or form body) with every ``signature=`` pair removed."""
    return "&".join(part for part in raw.split("&") if part and not part.startswith("signature="))


def signed_payloads(query: str, body: str) -> list[str]:
    """The payloads a correct client may have signed, most likely first."""
    raw = without_signature(query) + without_signature(body)
    decoded = unquote_plus(without_signature(query)) + unquote_plus(without_signature(body))
    return [raw] if decoded == raw else [raw, decoded]


def signature_valid(*, secret: str, query: str, body: str, signature: str) -> bool:
    """True when ``signature`` is the HMAC of this request under ``secret``."""
    if not signature or not secret:
        return False
    given = signature.strip().lower()
    return any(hmac.compare_digest(hmac_sha256_hex(secret, payload), given) for payload in signed_payloads(query, body))
