"""Personas for the config API: an operator who may change config, a reader who
may only view it, and an outsider with neither permission."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from petrosa.core.user_tokens import user_token_create


def user_with(name: str, *codenames: str, staff: bool = False) -> Any:
    user = get_user_model().objects.create_user(name, is_staff=staff)  # no password: hashing one is slow
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(content_type__app_label="configs_app", codename=codename))
    return user


def token_client(user: Any) -> APIClient:
    _, token = user_token_create(user=user, name="tests", actor="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def writer(db: Any) -> APIClient:
    return token_client(user_with("writer", "view_tradingconfig", "change_tradingconfig"))


@pytest.fixture
def reader(db: Any) -> APIClient:
    return token_client(user_with("reader", "view_tradingconfig"))


@pytest.fixture
def outsider(db: Any) -> APIClient:
    return token_client(user_with("outsider"))
