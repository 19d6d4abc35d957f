"""make soak's schemathesis run, shortened to ~250 generated cases (fuzzing
phase, 2 examples per operation, once with a strategy key and once with an
operator token) against the real server: no 5xx, every response matches the
schema's body and content type, and every status code answered is one the
schema documents (the error envelope's 400/401/403/404/409/422/503...)."""

from __future__ import annotations

import time

from soak.fuzz import CHECKS, fuzz_run
from soak.short import short_stack


def test_generated_requests_get_no_5xx_and_schema_conformant_answers(subprocess_env: dict[str, str]) -> None:
    started = time.monotonic()
    with short_stack(subprocess_env) as (stack, logins):
        result = fuzz_run(stack.base_url, strategy_key=logins.strategy_key, operator_token=logins.token,
                          max_examples=2, phases="fuzzing", min_cases=150, workers=2)  # fmt: skip
    assert result.cases >= 150, result.as_dict()
    for fuzz_pass in result.passes:
        assert fuzz_pass.operations > 50, fuzz_pass
        assert fuzz_pass.server_errors == 0, fuzz_pass.examples
        for check in CHECKS:
            assert fuzz_pass.failures.get(check, 0) == 0, [e for e in fuzz_pass.examples if e.startswith(check)]
        assert fuzz_pass.cases_with_failures == 0, fuzz_pass
    assert result.passed, result.problems
    print(f"fuzz: {result.cases} cases in {time.monotonic() - started:.1f}s, no failed checks")
