"""Every model is in the admin with a working list page; records are read-only."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager_pipeline", "prices")]

OUR_APPS = {"core", "configs_app", "signals_app", "risk_app", "execution_app"}


@pytest.fixture
def operator_client(operator: Any, strategy_client: Any) -> Client:
    response = strategy_client.post(
        "/api/v1/signals", data={"symbol": "BTCUSDT", "action": "buy", "confidence": 0.9, "quantity": "0.01"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 202
    client = Client()
    client.force_login(operator)
    return client


def test_every_model_is_registered() -> None:
    ours = {m for m in apps.get_models() if m._meta.app_label in OUR_APPS}
    assert ours and ours <= set(admin.site._registry)


def test_every_changelist_renders(operator_client: Client) -> None:
    for model in admin.site._registry:
        if model._meta.app_label not in OUR_APPS:
            continue
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        response = operator_client.get(url)
        assert response.status_code == 200, url


def test_the_fill_is_visible_in_the_order_admin(operator_client: Client) -> None:
    from execution_app.models import Order

    order = Order.objects.get(role="entry")  # its protective legs are orders too
    html = operator_client.get(f"/admin/execution_app/order/{order.pk}/change/").content.decode()
    assert order.client_order_id in html
    assert "Fills" in html and "50000" in html
    assert Decimal(order.executed_quantity) == Decimal("0.01")


def test_audit_events_cannot_be_changed_in_the_admin(operator_client: Client) -> None:
    from petrosa.core.models import AuditEvent

    event = AuditEvent.objects.first()
    assert event is not None
    page = operator_client.get(f"/admin/core/auditevent/{event.pk}/change/").content.decode()
    assert 'name="_save"' not in page
    response = operator_client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
