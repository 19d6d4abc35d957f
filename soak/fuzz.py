"""schemathesis against /api/schema/ of a running server, once with a strategy
key and once with an operator's user token, counting the generated cases and
every failure of the checks that matter here: no 5xx (not_a_server_error),
responses that match the schema (response_schema_conformance,
content_type_conformance) and status codes the schema documents
(status_code_conformance)."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.stack import REPO, VENV_BIN
from soak.verdict import Judged

CHECKS = ("not_a_server_error", "response_schema_conformance", "content_type_conformance", "status_code_conformance")


@dataclass
class FuzzPass:
    auth: str
    cases: int
    operations: int
    seconds: float
    server_errors: int
    failures: dict[str, int]  # check name -> failing cases
    cases_with_failures: int  # schemathesis's own count, a cross-check of the above
    examples: list[str]  # "check: METHOD path: message"
    exit_code: int


@dataclass
class FuzzResult(Judged):
    passes: list[FuzzPass]
    problems: list[str] = field(default_factory=list)

    @property
    def cases(self) -> int:
        return sum(p.cases for p in self.passes)

    def derived(self) -> dict[str, Any]:
        return {"cases": self.cases}


def _pass(base_url: str, label: str, header: str, *, max_examples: int, phases: str, seed: int,
          workers: int) -> FuzzPass:  # fmt: skip
    out = Path(tempfile.mkdtemp(prefix="petrosa-schemathesis-"))
    try:
        run = subprocess.run(
            [str(VENV_BIN / "schemathesis"), "run", f"{base_url}/api/schema/", "-H", header, "--checks",
             ",".join(CHECKS), "--max-examples", str(max_examples), "--phases", phases, "--seed", str(seed),
             "--no-shrink", "--workers", str(workers), "--request-timeout", "30", "--report", "json,ndjson",
             "--report-json-path", str(out / "run.json"), "--report-ndjson-path", str(out / "events.ndjson")],
            cwd=REPO, capture_output=True, text=True, timeout=3600,
        )  # fmt: skip
        if not (out / "run.json").exists():
            output = run.stdout[-3000:] + run.stderr[-2000:]
            raise RuntimeError(f"schemathesis wrote no report ({run.returncode}):\n{output}")
        report = json.loads((out / "run.json").read_text())
        failures, examples, server_errors = _failures(out / "events.ndjson")
        return FuzzPass(auth=label, cases=int(report["test_cases"]["generated"]),
                        operations=int(report["operations"]["tested"]), seconds=float(report["running_time"]),
                        server_errors=server_errors, failures=failures, examples=examples,
                        cases_with_failures=int(report["test_cases"]["with_failures"]),
                        exit_code=run.returncode)  # fmt: skip
    finally:
        shutil.rmtree(out, ignore_errors=True)


def _failures(events: Path) -> tuple[dict[str, int], list[str], int]:
    failures: Counter[str] = Counter()
    examples: dict[str, str] = {}
    server_errors = 0
    for line in events.read_text().splitlines():
        event = json.loads(line)
        finished = (event.get("ScenarioFinished") or {}).get("recorder")
        if not finished:
            continue
        interactions = {case: interaction or {} for case, interaction in (finished.get("interactions") or {}).items()}
        server_errors += sum(1 for interaction in interactions.values() if _status(interaction) >= 500)
        for case_id, checks in (finished.get("checks") or {}).items():
            for check in checks:
                if check.get("status") != "failure":
                    continue
                failures[check["name"]] += 1
                info = ((check.get("failure_info") or {}).get("failure")) or {}
                message = " ".join(str(info.get("message") or info.get("title") or "").split())[:160]
                interaction = interactions.get(case_id, {})
                if _status(interaction) >= 500:
                    message = f"{message}; request: {_request_line(interaction)}"  # "Server error" alone says nothing
                key = f"{check['name']}: {info.get('operation', '?')}: {message}"
                examples.setdefault(f"{check['name']}|{info.get('operation')}", key)
    return dict(failures), sorted(examples.values())[:40], server_errors


def _status(interaction: dict[str, Any]) -> int:
    return int((interaction.get("response") or {}).get("status_code") or 0)


def _request_line(interaction: dict[str, Any]) -> str:
    """METHOD uri body, enough to reproduce with curl (the report leaves out schemathesis's own curl line)."""
    request = interaction.get("request") or {}
    body = request.get("body")
    if isinstance(body, dict) and "$base64" in body:
        body = base64.b64decode(body["$base64"]).decode("utf-8", errors="replace")
    text = f"{request.get('method', '?')} {request.get('uri', '?')}" + (f" body={body}" if body else "")
    return " ".join(text.split())[:400]


def fuzz_run(base_url: str, *, strategy_key: str, operator_token: str, max_examples: int = 15,
             phases: str = "examples,coverage,fuzzing,stateful", seed: int = 7, workers: int = 2,
             min_cases: int = 5000) -> FuzzResult:  # fmt: skip
    """The operator pass can switch the kill switch, deactivate strategies and change limits: run it last."""
    passes = [
        _pass(base_url, "strategy key", f"Authorization: Bearer {strategy_key}", max_examples=max_examples,
              phases=phases, seed=seed, workers=workers),
        _pass(base_url, "operator token", f"Authorization: Token {operator_token}", max_examples=max_examples,
              phases=phases, seed=seed, workers=workers),
    ]  # fmt: skip
    result = FuzzResult(passes=passes)
    if result.cases < min_cases:
        result.problems.append(f"only {result.cases} cases generated, fewer than {min_cases}")
    for p in passes:
        if p.server_errors:
            result.problems.append(f"{p.auth}: {p.server_errors} responses were 5xx")
        for check, count in p.failures.items():
            result.problems.append(f"{p.auth}: {count} cases failed {check}")
        if p.cases_with_failures and not p.failures:
            result.problems.append(f"{p.auth}: schemathesis reports {p.cases_with_failures} failing cases")
    return result
