"""API tokens for people's scripts and agents: ``Authorization: Token ptu_<prefix>_<secret>``.

A token acts as its Django user, so that user's permissions apply and the
user's name is what the audit trail records. Strategies use their own keys
(``Bearer ptk_...`` / ``X-API-Key``, signals_app.auth); this class never looks
at those.

Only the sha256 digest is stored. A token carries 256 bits of randomness, so a
fast hash is enough; the prefix finds the row with an index lookup and the
digest is compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from petrosa.core.audit import audit_record
from petrosa.core.models import UserToken

TOKEN_PREFIX = "ptu"
KEYWORD = "Token"
# last_used_at is bookkeeping, not a state change: refresh it at most this often
# so a busy script does not turn every read into a write.
LAST_USED_RESOLUTION = timedelta(seconds=60)


def user_token_digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def user_token_prefix_of(plaintext: str) -> str | None:
    parts = plaintext.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1]


@transaction.atomic
def user_token_create(*, user: AbstractBaseUser, name: str = "", actor: str) -> tuple[UserToken, str]:
    """Issue a token for ``user``; return the row and the plaintext (shown once, never stored)."""
    from petrosa.core.errors import InvalidInput  # errors imports DRF views, which import this module

    if not user.is_active:
        raise InvalidInput(f"User {user.get_username()} is inactive.", fields={"user": ["User is inactive."]})
    prefix = secrets.token_hex(6)
    plaintext = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = UserToken.objects.create(user=user, name=name[:64], prefix=prefix, digest=user_token_digest(plaintext))
    audit_record(
        kind="user_token.created",
        entity_type="user_token",
        entity_id=token.pk,
        actor=actor,
        data={"user": user.get_username(), "name": token.name, "prefix": prefix},
    )
    return token, plaintext


@transaction.atomic
def user_token_revoke(*, token_id: int, actor: str) -> UserToken:
    """Revoke a token; it stops authenticating at once. Revoking twice is harmless."""
    from petrosa.core.errors import NotFound  # see user_token_create

    token = UserToken.objects.select_for_update().select_related("user").filter(pk=token_id).first()
    if token is None:
        raise NotFound(f"No API token {token_id}.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            kind="user_token.revoked",
            entity_type="user_token",
            entity_id=token.pk,
            actor=actor,
            data={"user": token.user.get_username(), "name": token.name, "prefix": token.prefix},
        )
    return token


def user_token_authenticate(plaintext: str) -> UserToken | None:
    """The live token a plaintext belongs to (active user, not revoked), or None."""
    prefix = user_token_prefix_of(plaintext)
    if prefix is None:
        return None
    token = UserToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(user_token_digest(plaintext), token.digest):
        return None
    if token.revoked_at is not None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        UserToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


class UserTokenAuthentication(BaseAuthentication):
    """``Authorization: Token ptu_...``: request.user is the token's Django user,
    request.auth the UserToken. Any other scheme or token shape is left to the
    next authentication class."""

    keyword = KEYWORD

    def authenticate(self, request: Request) -> tuple[Any, UserToken] | None:
        authorization = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None
        presented = credentials.strip()
        if user_token_prefix_of(presented) is None:
            return None  # not one of ours: let the next class decide (and refuse)
        token = user_token_authenticate(presented)
        if token is None:
            raise AuthenticationFailed("Invalid, revoked or inactive API token.")
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class UserTokenScheme(OpenApiAuthenticationExtension):
    """Shows the token scheme in the OpenAPI schema and Swagger UI. Defined here,
    not in an openapi module, because DRF imports this module before any schema
    is generated, which registers the extension."""

    target_class = "petrosa.core.user_tokens.UserTokenAuthentication"
    name = "userToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A user's API token from `manage.py user_token_create`, as `Authorization: Token ptu_...`; "
            "it acts with that user's permissions.",
        }
