"""The admin edits any scope with one field per parameter: inline schema errors,
a preview of the resolved result, a required reason, saves through the audited
service, read-only history, and a permission-gated rollback."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from configs_app.models import TradingConfig, TradingConfigVersion
from configs_app.schema import PARAMETERS
from configs_app.services import config_resolve, config_scope, config_set
from petrosa.core.models import AuditEvent
from tests.configs_app.conftest import user_with

pytestmark = pytest.mark.django_db

ADD = "/admin/configs_app/tradingconfig/add/"


@pytest.fixture
def admin_client(operator: Any) -> Client:
    client = Client()
    client.force_login(operator)
    return client


def _form(**values: str) -> dict[str, str]:
    return {"symbol": "", "side": "", "reason": "", **values}


def test_the_form_has_a_documented_field_per_parameter(admin_client: Client) -> None:
    html = admin_client.get(ADD).content.decode()
    for name in PARAMETERS:
        assert f'name="{name}"' in html, name
    assert "between 1 and 125" in html and "percent, 0-100 scale" in html
    assert 'name="reason"' in html and 'name="_preview"' in html


def test_an_invalid_value_is_shown_inline_and_nothing_is_saved(admin_client: Client) -> None:
    response = admin_client.post(
        ADD, _form(symbol="BTCUSDT", side="LONG", leverage="200", margin_type="isolated", reason="try")
    )
    assert response.status_code == 200
    assert "leverage must be a whole number between 1 and 125" in response.content.decode()
    assert not TradingConfig.objects.exists() and not TradingConfigVersion.objects.exists()


def test_preview_shows_the_resolved_result_without_saving(admin_client: Client) -> None:
    config_set(ref=config_scope(), parameters={"stop_loss_pct": 3}, changed_by="user:x", reason="global")
    response = admin_client.post(ADD, _form(symbol="BTCUSDT", side="LONG", leverage="20", _preview="1"))
    html = response.content.decode()
    assert 'id="preview-table"' in html
    assert "<td>leverage</td><td>20</td><td>symbol_side</td>" in html
    assert "<td>stop_loss_pct</td><td>3</td><td>global</td>" in html
    assert not TradingConfig.objects.filter(scope="symbol_side").exists()


def test_saving_needs_a_reason_and_goes_through_the_audited_service(admin_client: Client) -> None:
    refused = admin_client.post(ADD, _form(symbol="btcusdt", side="LONG", leverage="20"))
    assert "A reason is required to save." in refused.content.decode()
    assert not TradingConfig.objects.exists()

    saved = admin_client.post(
        ADD,
        _form(
            symbol="btcusdt",
            side="LONG",
            leverage="20",
            enable_longs="false",
            allowed_symbols="btcusdt, ETHUSDT",
            reason="bull market",
        ),
    )
    assert saved.status_code == 302
    row = TradingConfig.objects.get()
    assert (row.scope, row.symbol, row.side) == ("symbol_side", "BTCUSDT", "LONG")
    assert row.parameters == {"leverage": 20, "enable_longs": False, "allowed_symbols": ["BTCUSDT", "ETHUSDT"]}
    entry = TradingConfigVersion.objects.get()
    assert (entry.changed_by, entry.agent, entry.reason) == ("user:op", "admin", "bull market")
    assert AuditEvent.objects.filter(kind="config.changed", actor="user:op").count() == 1
    assert config_resolve(symbol="BTCUSDT", side="LONG")["leverage"] == 20


def test_a_blank_field_inherits_and_history_is_shown(admin_client: Client) -> None:
    change = config_set(
        ref=config_scope(symbol="ETHUSDT"),
        parameters={"leverage": 20, "max_retries": 1},
        changed_by="user:x",
        reason="first",
    )
    url = reverse("admin:configs_app_tradingconfig_change", args=[change.config.pk])
    page = admin_client.get(url).content.decode()
    assert 'id="history-table"' in page and "first" in page
    admin_client.post(url, {"leverage": "", "max_retries": "1", "stop_loss_pct": "1.5", "reason": "inherit leverage"})
    assert TradingConfig.objects.get().parameters == {"max_retries": 1, "stop_loss_pct": "1.5"}
    assert config_resolve(symbol="ETHUSDT")["leverage"] == PARAMETERS["leverage"].default


def test_rollback_in_the_admin_needs_a_reason_and_is_audited(admin_client: Client) -> None:
    ref = config_scope(symbol="ETHUSDT")
    config_set(ref=ref, parameters={"leverage": 5}, changed_by="user:x", reason="v1")
    config_set(ref=ref, parameters={"leverage": 50}, changed_by="user:x", reason="v2")
    v1 = TradingConfigVersion.objects.get(version=1)
    url = reverse("admin:configs_app_tradingconfigversion_rollback", args=[v1.pk])
    assert admin_client.post(url, {"reason": ""}).status_code == 200  # form error, nothing done
    assert TradingConfigVersion.objects.count() == 2
    assert admin_client.post(url, {"reason": "v2 too risky"}).status_code == 302
    assert config_resolve(symbol="ETHUSDT")["leverage"] == 5
    assert TradingConfigVersion.objects.get(version=3).rolled_back_to == 1

    action = admin_client.post(
        "/admin/configs_app/tradingconfigversion/", {"action": "rollback_to_version", "_selected_action": [v1.pk]}
    )
    assert action.status_code == 302 and action["Location"] == url


def test_remove_overrides_needs_a_reason(admin_client: Client) -> None:
    change = config_set(
        ref=config_scope(symbol="ETHUSDT"), parameters={"leverage": 5}, changed_by="user:x", reason="v1"
    )
    url = reverse("admin:configs_app_tradingconfig_remove", args=[change.config.pk])
    assert admin_client.post(url, {"reason": ""}).status_code == 200 and TradingConfig.objects.exists()
    assert admin_client.post(url, {"reason": "back to global"}).status_code == 302
    assert not TradingConfig.objects.exists()
    assert TradingConfigVersion.objects.get(version=2).action == "delete"


def test_viewers_see_but_cannot_save_or_roll_back() -> None:
    change = config_set(
        ref=config_scope(symbol="ETHUSDT"), parameters={"leverage": 5}, changed_by="user:x", reason="v1"
    )
    client = Client()
    client.force_login(user_with("viewer", "view_tradingconfig", "view_tradingconfigversion", staff=True))
    url = reverse("admin:configs_app_tradingconfig_change", args=[change.config.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(url, {"leverage": "9", "reason": "sneaky"}).status_code == 403
    version = TradingConfigVersion.objects.get()
    rollback = reverse("admin:configs_app_tradingconfigversion_rollback", args=[version.pk])
    assert client.post(rollback, {"reason": "sneaky"}).status_code == 403
    assert client.get(ADD).status_code == 403
    assert TradingConfig.objects.get().parameters == {"leverage": 5}
