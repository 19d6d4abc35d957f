"""Operators for the permission tests: users in the roles the migration
creates, plus helpers to log them in over the admin, the API and the socket."""

from __future__ import annotations

import importlib
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from rest_framework.test import APIClient

from petrosa.core.user_tokens import user_token_create

ROLES = ("viewer", "trader", "reviewer", "risk officer", "admin")
PASSWORD = "pw-Operator-123456"


def roles_ensure() -> None:
    """Re-create the role groups after a transactional test flushed them
    (a flush empties auth_group; the data migration ran only once)."""
    if Group.objects.filter(name__in=ROLES).count() == len(ROLES):
        return
    migration = importlib.import_module("petrosa.core.migrations.0004_operator_roles")
    from django.apps import apps

    migration.roles_apply(apps, None)


def make_operator(username: str, *, role: str | None, staff: bool = True, password: str | None = PASSWORD) -> Any:
    """password=None skips the (deliberately slow) hashing, for users who only
    ever log in with force_login or a token."""
    roles_ensure()
    user = get_user_model().objects.create_user(username, password=password, is_staff=staff)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def session_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def token_client(user: Any) -> APIClient:
    _token, plaintext = user_token_create(user=user, name="test", actor="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {plaintext}")
    return client


def open_long(symbol: str, quantity: str, price: str) -> None:
    """A long position booked through the same service a fill uses."""
    from risk_app.services.positions import position_apply_fill

    position_apply_fill(
        symbol=symbol, side="BUY", quantity=Decimal(quantity), price=Decimal(price), fee_quote=Decimal("0")
    )
