"""make soak's outage scenario, shortened, without touching any shared
service: a private redis-server stopped for 3 s, then the web server's
connections to PostgreSQL cut for 2 s by a relay this test owns (the full
soak restarts a throwaway PostgreSQL server instead; the shared one on 5432
must never be restarted). Signals flow at 5/s throughout: 202 while Redis is
down, a clear 503 while PostgreSQL is unreachable, and afterwards every
acknowledged signal is ordered and filled."""

from __future__ import annotations

import time
from urllib.parse import urlparse

from soak.outage import outage_run
from tests.e2e.processes import TcpRelay
from soak.short import short_stack


def test_acknowledged_signals_survive_redis_and_postgres_outages(subprocess_env: dict[str, str]) -> None:
    started = time.monotonic()
    database = urlparse(subprocess_env["DATABASE_URL"])
    relay = TcpRelay((database.hostname or "127.0.0.1", database.port or 5432))
    relay.start()
    through_relay = subprocess_env["DATABASE_URL"].replace(database.netloc.split("@")[-1], f"127.0.0.1:{relay.port}")

    def cut_postgres() -> None:
        relay.cut()
        time.sleep(2)
        relay.start()

    try:
        with short_stack(subprocess_env, web_env={"DATABASE_URL": through_relay}) as (stack, logins):
            stack.start_worker("outage-worker")
            stack.start_beat()
            result = outage_run(stack, logins, postgres_outage=cut_postgres, rate=5, before=1, redis_down=3,
                                between=1, after=2, recovery_timeout=60,
                                postgres_label="the web server's PostgreSQL connections cut for 2 s")  # fmt: skip
            assert result.problems == []
            assert set(result.phases["redis down"]) == {202}, result.phases
            assert 503 in result.phases["postgres down"], result.phases
            assert result.accepted > 0 and result.processed == result.accepted and result.unprocessed == []
    finally:
        relay.cut()
    print(f"outage: {result.as_dict()} in {time.monotonic() - started:.1f}s")
