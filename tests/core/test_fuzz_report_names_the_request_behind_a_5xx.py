"""soak/fuzz.py reads schemathesis's ndjson events: it counts 5xx answers and
failed checks, and for a 5xx it keeps the request (method, URL, body) behind
it, since schemathesis's report leaves out its curl line and "Server error"
alone cannot be reproduced. No credentials are kept."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from soak.fuzz import _failures


def _scenario(case_id: str, status: int, check: str, *, body: bytes | None = None) -> str:
    request = {"method": "POST", "uri": "http://127.0.0.1:1/api/v1/market/simulate",
               "body": {"$base64": base64.b64encode(body).decode()} if body else None,
               "headers": {"Authorization": ["Token ptu_secret"]}}  # fmt: skip
    failure = {"operation": "POST /api/v1/market/simulate", "title": "Server error", "message": ""}
    recorder = {
        "interactions": {case_id: {"request": request, "response": {"status_code": status}}},
        "checks": {case_id: [{"name": check, "status": "failure", "failure_info": {"failure": failure}},
                             {"name": "content_type_conformance", "status": "success", "failure_info": None}]},
    }  # fmt: skip
    return json.dumps({"ScenarioFinished": {"recorder": recorder}})


def test_a_5xx_is_counted_with_its_request_and_no_credentials(tmp_path: Path) -> None:
    events = tmp_path / "events.ndjson"
    events.write_text("\n".join([json.dumps({"ScenarioStarted": {}}),
                                 _scenario("a", 500, "not_a_server_error", body=b"5"),
                                 _scenario("b", 400, "status_code_conformance")]))  # fmt: skip
    failures, examples, server_errors = _failures(events)
    assert server_errors == 1
    assert failures == {"not_a_server_error": 1, "status_code_conformance": 1}
    assert "not_a_server_error: POST /api/v1/market/simulate: Server error; request: POST " \
           "http://127.0.0.1:1/api/v1/market/simulate body=5" in examples  # fmt: skip
    assert "status_code_conformance: POST /api/v1/market/simulate: Server error" in examples
    assert not any("ptu_secret" in example for example in examples)
