"""Every committed change is a version with before, after, who and why, plus an
AuditEvent in the same transaction. Dry runs write nothing; history filters;
rollback restores a version as a new audited version; stale writes get 409."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from configs_app.models import TradingConfig, TradingConfigVersion
from configs_app.services import config_resolve, config_scope, config_set
from petrosa.core.errors import Conflict
from petrosa.core.models import AuditEvent

pytestmark = pytest.mark.django_db

SYMBOL = "/api/v1/config/trading/ETHUSDT"


def _write(client: APIClient, path: str, parameters: dict, reason: str = "because", **extra: Any) -> Any:
    return client.post(
        path, {"parameters": parameters, "reason": reason, "changed_by": "agent_x", **extra}, format="json"
    )


def test_each_change_is_a_version_with_before_after_who_and_why(writer: APIClient) -> None:
    assert _write(writer, SYMBOL, {"leverage": 5}, "start small").status_code == 201
    second = _write(writer, SYMBOL, {"stop_loss_pct": "1.5"}, "tighter stop")
    assert second.status_code == 200
    assert second.json()["metadata"]["action"] == "updated"
    assert second.json()["data"]["previous_parameters"] == {"leverage": 5}
    assert second.json()["data"]["parameters"] == {"leverage": 5, "stop_loss_pct": "1.5"}

    v1, v2 = TradingConfigVersion.objects.order_by("version")
    assert (v1.version, v1.action, v1.parameters_before, v1.parameters_after) == (1, "create", {}, {"leverage": 5})
    assert (v2.version, v2.action, v2.reason, v2.changed_by, v2.agent) == (
        2,
        "update",
        "tighter stop",
        "user:writer",
        "agent_x",
    )
    events = AuditEvent.objects.filter(kind="config.changed").order_by("id")
    assert [e.data["version"] for e in events] == [1, 2]
    assert events.last().data["before"] == {"leverage": 5}
    assert events.last().data["after"] == {"leverage": 5, "stop_loss_pct": "1.5"}
    assert events.last().actor == "user:writer" and events.last().data["reason"] == "tighter stop"
    assert TradingConfig.objects.get().version == 2


def test_writing_the_same_values_again_is_not_a_new_version(writer: APIClient) -> None:
    _write(writer, SYMBOL, {"leverage": 5})
    again = _write(writer, SYMBOL, {"leverage": 5})
    assert again.json()["metadata"]["action"] == "unchanged" and again.json()["data"]["version"] == 1
    assert TradingConfigVersion.objects.count() == 1


def test_a_dry_run_validates_and_previews_but_writes_nothing(writer: APIClient) -> None:
    _write(writer, SYMBOL, {"leverage": 5})
    dry = _write(writer, SYMBOL, {"leverage": 9}, reason="", validate_only=True)
    assert dry.status_code == 200
    body = dry.json()
    assert body["metadata"] == {"action": "validated", "scope": "symbol", "validate_only": True}
    assert body["data"]["resolved"]["leverage"] == {"value": 9, "source": "symbol"}
    assert config_resolve(symbol="ETHUSDT")["leverage"] == 5
    assert TradingConfigVersion.objects.count() == 1
    bad = _write(writer, SYMBOL, {"leverage": 900}, validate_only=True)
    assert bad.status_code == 400 and bad.json()["error"]["fields"]["leverage"][0]["code"] == "OUT_OF_RANGE"


def test_unset_and_replace_let_values_inherit_again(writer: APIClient) -> None:
    _write(writer, SYMBOL, {"leverage": 5, "max_retries": 1, "enabled": False})
    unset = _write(writer, SYMBOL, {}, unset=["max_retries"])
    assert unset.json()["data"]["parameters"] == {"leverage": 5, "enabled": False}
    replaced = _write(writer, SYMBOL, {"take_profit_pct": 4}, replace=True)
    assert replaced.json()["data"]["parameters"] == {"take_profit_pct": "4"}
    assert config_resolve(symbol="ETHUSDT")["enabled"] is True


def test_delete_resets_a_scope_and_keeps_counting_versions(writer: APIClient) -> None:
    _write(writer, SYMBOL, {"leverage": 5})
    refused = writer.delete(SYMBOL)
    assert refused.status_code == 400 and "reason" in refused.json()["error"]["fields"]
    deleted = writer.delete(SYMBOL, {"reason": "back to global", "changed_by": "agent_x"}, format="json")
    assert deleted.status_code == 200
    assert deleted.json()["metadata"]["action"] == "deleted" and deleted.json()["data"]["version"] == 2
    assert not TradingConfig.objects.exists()
    assert writer.get(SYMBOL).json()["data"]["version"] == 2
    assert writer.delete(f"{SYMBOL}?reason=again").status_code == 404
    recreated = _write(writer, SYMBOL, {"leverage": 3})
    assert recreated.status_code == 201 and recreated.json()["data"]["version"] == 3


def test_rollback_restores_a_version_as_a_new_audited_version(writer: APIClient) -> None:
    _write(writer, SYMBOL, {"leverage": 5})
    _write(writer, SYMBOL, {"leverage": 50, "stop_loss_pct": 10})
    assert config_resolve(symbol="ETHUSDT", side="LONG")["leverage"] == 50

    response = writer.post(
        "/api/v1/config/trading/rollback",
        {"symbol": "ETHUSDT", "version": 1, "reason": "v2 was a mistake", "changed_by": "agent_x"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["metadata"]["action"] == "rolled_back"
    assert response.json()["data"]["version"] == 3
    assert config_resolve(symbol="ETHUSDT", side="LONG")["leverage"] == 5
    latest = TradingConfigVersion.objects.get(version=3)
    assert (latest.action, latest.rolled_back_to, latest.parameters_after) == ("rollback", 1, {"leverage": 5})
    assert AuditEvent.objects.filter(kind="config.changed", data__rolled_back_to=1).count() == 1


def test_rollback_to_a_delete_removes_the_overrides(writer: APIClient) -> None:
    _write(writer, SYMBOL, {"leverage": 5})
    writer.delete(SYMBOL, {"reason": "reset"}, format="json")
    _write(writer, SYMBOL, {"leverage": 7})
    response = writer.post(
        "/api/v1/config/trading/rollback", {"symbol": "ETHUSDT", "version": 2, "reason": "reset"}, format="json"
    )
    assert response.status_code == 200 and not TradingConfig.objects.exists()


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"symbol": "ETHUSDT", "version": 9, "reason": "x"}, 404),
        ({"symbol": "ETHUSDT", "version": 1}, 400),
        ({"scope": "global", "symbol": "ETHUSDT", "version": 1, "reason": "x"}, 400),
        ({"symbol": "ETHUSDT", "version": 1, "reason": "x", "expected_version": 7}, 409),
    ],
)
def test_rollback_refusals(writer: APIClient, body: dict, status: int) -> None:
    _write(writer, SYMBOL, {"leverage": 5})
    assert writer.post("/api/v1/config/trading/rollback", body, format="json").status_code == status
    assert TradingConfigVersion.objects.count() == 1


def test_a_stale_expected_version_is_a_409_and_changes_nothing(writer: APIClient) -> None:
    _write(writer, SYMBOL, {"leverage": 5})
    stale = _write(writer, SYMBOL, {"leverage": 6}, expected_version=0)
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_version"
    assert _write(writer, SYMBOL, {"leverage": 6}, expected_version=1).status_code == 200
    assert config_resolve(symbol="ETHUSDT")["leverage"] == 6


def test_history_lists_changes_newest_first_with_filters(writer: APIClient, reader: APIClient) -> None:
    _write(writer, "/api/v1/config/trading", {"leverage": 4})
    _write(writer, SYMBOL, {"leverage": 5})
    _write(writer, f"{SYMBOL}/SHORT", {"enable_shorts": False})
    everything = reader.get("/api/v1/config/trading/history").json()["data"]
    assert [(e["scope"], e["version"]) for e in everything] == [("symbol_side", 1), ("symbol", 1), ("global", 1)]
    shorts = reader.get("/api/v1/config/trading/history?symbol=ethusdt&side=SHORT").json()["data"]
    assert [e["parameters_after"] for e in shorts] == [{"enable_shorts": False}]
    only_global = reader.get("/api/v1/config/trading/history?scope=global").json()["data"]
    assert len(only_global) == 1 and only_global[0]["changed_by"] == "user:writer"
    assert reader.get("/api/v1/config/trading/history?scope=planet").status_code == 400
    assert len(reader.get("/api/v1/config/trading/history?limit=1").json()["data"]) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_with_the_same_expected_version_one_wins() -> None:
    """Two threads, two connections, both sure the scope is at version 1: exactly one commits."""
    ref = config_scope(symbol="BTCUSDT")
    config_set(ref=ref, parameters={"leverage": 2}, changed_by="user:a", reason="setup")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def write(leverage: int) -> None:
        try:
            barrier.wait()
            config_set(
                ref=ref, parameters={"leverage": leverage}, changed_by="user:t", reason="race", expected_version=1
            )
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in (3, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert TradingConfigVersion.objects.filter(symbol="BTCUSDT").count() == 2
    assert TradingConfig.objects.get(symbol="BTCUSDT").version == 2


def test_a_reason_is_required_except_for_dry_runs(writer: APIClient) -> None:
    missing = _write(writer, SYMBOL, {"leverage": 5}, reason="")
    assert missing.status_code == 400 and missing.json()["error"]["fields"]["reason"]
    assert not TradingConfigVersion.objects.exists()
