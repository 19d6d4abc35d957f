"""make soak's crash scenario, shortened: 20 entry signals while one worker is
killed with SIGKILL (main process and pool children at once) and replaced;
beat's sweeper and Celery's redelivery must bring every signal to exactly one
filled entry order, and the exchange must hold one order per client order id."""

from __future__ import annotations

import time

from soak.crash import crash_run
from soak.short import short_stack


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(subprocess_env: dict[str, str]) -> None:
    started = time.monotonic()
    with short_stack(subprocess_env) as (stack, logins):
        stack.start_beat()
        result = crash_run(stack, logins, orders=20, kills=1, rate=5, workers=2, whole_worker_share=1.0,
                           recovery_timeout=60)  # fmt: skip
    assert len(result.kills) == 1 and "SIGKILL worker" in result.kills[0], result.kills
    assert result.problems == []
    assert result.accepted == 20 and result.ordered == 20 and result.filled == 20
    assert result.lost == [] and result.duplicated == [] and result.exchange_duplicates == []
    print(f"crash: {result.as_dict()} in {time.monotonic() - started:.1f}s")
