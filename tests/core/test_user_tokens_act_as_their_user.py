"""User API tokens (``Authorization: Token ptu_...``): stored only as a hash, act
as their user with that user's permissions, revocable, last use recorded, and
they leave strategy keys (Bearer / X-API-Key) alone."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from rest_framework.test import APIClient

from petrosa.core.models import AuditEvent, UserToken
from petrosa.core.user_tokens import user_token_create, user_token_revoke

pytestmark = pytest.mark.django_db

CONFIG = "/api/v1/config/trading"


def _user(name: str, *perms: str) -> Any:
    user = get_user_model().objects.create_user(name)
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user


def _client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_the_command_prints_a_token_once_and_stores_only_its_hash() -> None:
    _user("alice")
    out = StringIO()
    call_command("user_token_create", "alice", "--name", "llm-config-agent", stdout=out)
    plaintext = out.getvalue().strip().splitlines()[-1]
    assert plaintext.startswith("ptu_")
    token = UserToken.objects.get()
    assert token.name == "llm-config-agent" and token.user.username == "alice"
    assert token.digest == hashlib.sha256(plaintext.encode()).hexdigest()
    stored = " ".join(str(value) for value in UserToken.objects.values_list().get())
    assert plaintext not in stored
    assert AuditEvent.objects.filter(kind="user_token.created", actor="cli").count() == 1


def test_the_command_refuses_an_unknown_user() -> None:
    with pytest.raises(CommandError, match="nobody"):
        call_command("user_token_create", "nobody", stdout=StringIO())


def test_a_token_acts_with_its_users_permissions() -> None:
    reader = _user("reader", "configs_app.view_tradingconfig")
    writer = _user("writer", "configs_app.view_tradingconfig", "configs_app.change_tradingconfig")
    _, reader_token = user_token_create(user=reader, actor="test")
    _, writer_token = user_token_create(user=writer, actor="test")
    body = {"parameters": {"leverage": 5}, "reason": "calmer market", "changed_by": "llm_agent_v1"}

    assert _client(reader_token).get(CONFIG).status_code == 200
    refused = _client(reader_token).post(CONFIG, body, format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"

    accepted = _client(writer_token).post(CONFIG, body, format="json")
    assert accepted.status_code == 201, accepted.content  # the global scope did not exist yet
    event = AuditEvent.objects.get(kind="config.changed")
    assert event.actor == "user:writer" and event.data["agent"] == "llm_agent_v1"


def test_a_revoked_token_or_an_inactive_user_is_refused() -> None:
    user = _user("bob", "configs_app.view_tradingconfig")
    row, plaintext = user_token_create(user=user, actor="test")
    assert _client(plaintext).get(CONFIG).status_code == 200

    user_token_revoke(token_id=row.pk, actor="user:admin")
    refused = _client(plaintext).get(CONFIG)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "authentication_failed"
    assert AuditEvent.objects.filter(kind="user_token.revoked").count() == 1

    _, second = user_token_create(user=user, actor="test")
    user.is_active = False
    user.save()
    assert _client(second).get(CONFIG).status_code == 401


def test_a_forged_token_with_a_real_prefix_is_refused() -> None:
    row, plaintext = user_token_create(user=_user("carol", "configs_app.view_tradingconfig"), actor="test")
    forged = f"ptu_{row.prefix}_{'x' * 43}"
    assert forged != plaintext
    assert _client(forged).get(CONFIG).status_code == 401


def test_last_used_is_recorded_without_a_write_per_request() -> None:
    row, plaintext = user_token_create(user=_user("dave", "configs_app.view_tradingconfig"), actor="test")
    assert row.last_used_at is None
    _client(plaintext).get(CONFIG)
    row.refresh_from_db()
    first = row.last_used_at
    assert first is not None
    _client(plaintext).get(CONFIG)
    row.refresh_from_db()
    assert row.last_used_at == first  # within a minute: not rewritten

    UserToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now() - timedelta(minutes=5))
    _client(plaintext).get(CONFIG)
    row.refresh_from_db()
    assert row.last_used_at > first - timedelta(minutes=1) and row.last_used_at > timezone.now() - timedelta(seconds=30)


def test_strategy_keys_still_authenticate_and_get_no_config_access(strategy_client: APIClient) -> None:
    response = strategy_client.get(CONFIG)
    assert response.status_code == 403
    signal = strategy_client.post(
        "/api/v1/signals",
        {"symbol": "BTCUSDT", "action": "buy", "confidence": 0.9},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    assert signal.status_code == 202, signal.content


def test_anonymous_gets_the_error_body() -> None:
    response = APIClient().get(CONFIG)
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"


def test_an_operator_revokes_a_token_in_the_admin(operator: Any) -> None:
    from django.test import Client

    row, plaintext = user_token_create(user=_user("erin", "configs_app.view_tradingconfig"), actor="test")
    client = Client()
    client.force_login(operator)
    page = client.get("/admin/core/usertoken/").content.decode()
    assert row.prefix in page and plaintext not in page
    response = client.post("/admin/core/usertoken/", {"action": "revoke", "_selected_action": [row.pk]})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert AuditEvent.objects.filter(kind="user_token.revoked", actor="user:op").count() == 1
    assert _client(plaintext).get(CONFIG).status_code == 401
