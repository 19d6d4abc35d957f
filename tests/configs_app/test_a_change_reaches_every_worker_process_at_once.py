"""config_resolve is memoized per process and still never stale: two separate
worker processes serve repeated reads without touching the database, yet the
very next read after a committed change (in another process) sees it, because
every write replaces the config generation in Redis on commit."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any, Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from configs_app.models import TradingConfig
from configs_app.services import config_resolve, config_scope, config_set
from tests.e2e.processes import REPO


class Worker:
    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.configs_app.resolve_worker"],
            cwd=REPO,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def wait_ready(self) -> None:
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "ready"

    def resolve(self, symbol: str = "BTCUSDT") -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(symbol + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def stop(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=10)


@pytest.fixture
def workers(subprocess_env: dict[str, str]) -> Iterator[list[Worker]]:
    started = [Worker(subprocess_env), Worker(subprocess_env)]  # both boot Django at the same time
    for worker in started:
        worker.wait_ready()
    yield started
    for worker in started:
        worker.stop()


def test_two_processes_see_a_change_on_their_very_next_read(workers: list[Worker]) -> None:
    symbol = config_scope(symbol="BTCUSDT")
    config_set(ref=symbol, parameters={"leverage": 5}, changed_by="user:test", reason="start")
    for worker in workers:
        assert worker.resolve() == {"leverage": 5, "queries": 1}
        assert worker.resolve() == {"leverage": 5, "queries": 0}  # memo hit: one Redis GET, no SQL

    # A row edited behind the services' back bumps nothing: the memo keeps serving
    # (until the fallback TTL), which shows the generation, not luck, makes changes visible.
    TradingConfig.objects.filter(symbol="BTCUSDT").update(parameters={"leverage": 6})
    assert [worker.resolve()["leverage"] for worker in workers] == [5, 5]

    config_set(ref=symbol, parameters={"leverage": 7}, changed_by="user:test", reason="the change")
    assert [worker.resolve() for worker in workers] == [{"leverage": 7, "queries": 1}] * 2
    assert [worker.resolve()["queries"] for worker in workers] == [0, 0]


@pytest.mark.django_db(transaction=True)
def test_a_flushed_cache_never_serves_an_old_memo() -> None:
    """After a Redis restart or flush, the generation is a new random token, so a
    memo from before cannot match it (a counter restarting at 1 could)."""
    from django.core.cache import cache

    symbol = config_scope(symbol="ETHUSDT")
    config_set(ref=symbol, parameters={"leverage": 3}, changed_by="user:test", reason="start")
    assert config_resolve(symbol="ETHUSDT")["leverage"] == 3
    TradingConfig.objects.filter(symbol="ETHUSDT").update(parameters={"leverage": 4})
    cache.clear()
    assert config_resolve(symbol="ETHUSDT")["leverage"] == 4


@pytest.mark.django_db(transaction=True)
def test_a_memo_hit_costs_no_sql_and_a_rolled_back_write_never_lands_in_it() -> None:
    from django.db import transaction

    config_resolve(symbol="DOGEUSDT", side="SHORT")
    with CaptureQueriesContext(connection) as queries:
        for _ in range(50):
            config_resolve(symbol="DOGEUSDT", side="SHORT")
    assert len(queries) == 0

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        config_set(ref=config_scope(symbol="DOGEUSDT"), parameters={"leverage": 99}, changed_by="user:t", reason="x")
        assert config_resolve(symbol="DOGEUSDT")["leverage"] == 99  # the writer sees its own change
        raise Abort
    assert config_resolve(symbol="DOGEUSDT")["leverage"] == 10
    assert config_resolve(symbol="DOGEUSDT", side="SHORT")["leverage"] == 10
