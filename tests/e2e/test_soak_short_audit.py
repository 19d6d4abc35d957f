"""make soak's audit check after a short real run: signals through the real
server and worker write audit events; `manage.py verify_audit --seal` finds the
chain intact; after one event is edited and another deleted behind the
append-only trigger, `manage.py verify_audit` fails and names both by id."""

from __future__ import annotations

import time

from bench.pipeline import entry, post_signal
from bench.readings import unfinished
from bench.stack import wait_until
from soak.audit import audit_run
from soak.short import short_stack


def test_the_audit_chain_verifies_and_names_tampered_rows(subprocess_env: dict[str, str]) -> None:
    started = time.monotonic()
    with short_stack(subprocess_env) as (stack, logins):
        stack.start_worker("audit-worker")
        ids = [post_signal(stack, logins, entry(i)) for i in range(3)]
        assert wait_until(lambda: unfinished(ids) == 0, timeout=30)
        result = audit_run(stack.env)
    assert result.problems == []
    assert result.events >= 20  # three signals' trips, config and strategy changes
    assert result.sealed_report.startswith(f"audit trail intact: {result.events} events sealed")
    assert result.exit_code_after_tamper == 1
    assert f"event {result.edited_id}: content differs from its seal (tampered)" in result.after_tamper
    assert f"event {result.deleted_id}: sealed but missing (deleted)" in result.after_tamper
    print(f"audit: {result.as_dict()} in {time.monotonic() - started:.1f}s")
