"""make soak's idempotency storm, shortened: one key, 100 requests from 10
clients against the real server and a real worker → one signal, one entry
order, 99 replays, no 5xx."""

from __future__ import annotations

import time

from soak.short import short_stack
from soak.storm import storm_run


def test_a_hundred_retries_of_one_key_make_one_order(subprocess_env: dict[str, str]) -> None:
    started = time.monotonic()
    with short_stack(subprocess_env) as (stack, logins):
        stack.start_worker("storm-worker")
        result = storm_run(stack.base_url, logins, requests=100, clients=10)
    assert result.problems == []
    assert result.statuses == {202: 100} and result.replayed == 99 and result.server_errors == 0
    assert len(result.signal_ids) == 1 and result.entry_orders == 1 and result.fills == 1
    print(f"storm: {result.as_dict()} in {time.monotonic() - started:.1f}s")
