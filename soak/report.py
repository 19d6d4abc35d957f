"""RELIABILITY.md from the soak's results. The hand-written notes section
between the markers survives re-runs."""

from __future__ import annotations

from typing import Any

from bench.report import NOTES_END, NOTES_START


def _verdict(result: dict[str, Any]) -> str:
    if "error" in result:
        return f"**error**: {result['error']}"
    return "**passed**" if result["passed"] else "**failed**: " + "; ".join(result["problems"])[:400]


def storm(r: dict[str, Any]) -> tuple[str, list[str]]:
    if "error" in r:
        return f"| Idempotency storm | | | {_verdict(r)} |", []
    row = (f"| Idempotency storm: one key, {r['requests']} requests, {r['clients']} clients | "
           f"{len(r['signal_ids'])} signal, {r['entry_orders']} entry order, {r['server_errors']} 5xx | "
           "1 order, no 5xx | " + _verdict(r) + " |")  # fmt: skip
    return row, [
        "## Idempotency storm",
        "",
        f"{r['requests']} POSTs of the same signal with the same `Idempotency-Key` from {r['clients']} concurrent "
        "clients, with a worker executing the pipeline.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| answers by status | {r['statuses']} |",
        f"| answers marked `Idempotent-Replayed: true` | {r['replayed']} |",
        f"| signals created | {len(r['signal_ids'])} ({r['final_status']}) |",
        f"| entry orders / fills | {r['entry_orders']} / {r['fills']} |",
        f"| 5xx or no answer | {r['server_errors']} |",
        f"| p99 answer time | {r['p99_ms']:.0f} ms |",
    ]


def _restarts(r: dict[str, Any]) -> list[str]:
    restarts = r.get("supervisor_restarts") or []
    if not restarts:
        return ["", "No worker or beat process exited by itself."]
    return ["", f"**{len(restarts)} process(es) exited by themselves** and were started again by the harness's "
            "supervisor, as Kubernetes or compose would:", "", *[f"- `{line}`" for line in restarts]]


def crash(r: dict[str, Any]) -> tuple[str, list[str]]:
    if "error" in r:
        return f"| SIGKILL of workers | | | {_verdict(r)} |", []
    row = (f"| SIGKILL of worker processes during {r['orders']} orders ({len(r['kills'])} kills) | "
           f"{len(r['lost'])} lost, {len(r['duplicated'])} duplicated, {len(r['exchange_duplicates'])} sent twice | "
           "none lost or duplicated | " + _verdict(r) + " |")  # fmt: skip
    return row, [
        "## Worker processes killed with SIGKILL",
        "",
        f"{r['orders']} entry signals at a steady rate; meanwhile workers were killed with SIGKILL at random "
        "moments (seeded): a prefork pool child, or the whole worker (main process and children at once), "
        "after which a new worker was started. Celery beat ran the sweeper; nothing else helped. Then every "
        "signal was checked in the database and every client order id on the (paper) exchange.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| signals answered 202 | {r['accepted']} of {r['orders']} |",
        f"| ordered / filled | {r['ordered']} / {r['filled']} |",
        f"| rejected by the gate | {r['rejected'] or 0} |",
        f"| lost (not final, or entry not fully filled) | {len(r['lost'])} |",
        f"| signals with more than one entry order | {len(r['duplicated'])} |",
        f"| client order ids with more than one exchange order | {len(r['exchange_duplicates'])} |",
        f"| time from the last signal until all were final | {r['recovery_seconds']:.1f} s |",
        "",
        "Kills:",
        "",
        *[f"- {event}" for event in r["kills"]],
        *_restarts(r),
    ]


def outage(r: dict[str, Any]) -> tuple[str, list[str]]:
    if "error" in r:
        return f"| Redis and PostgreSQL outages | | | {_verdict(r)} |", []
    row = (f"| Redis stopped {r['redis_down_seconds']:g} s, then {r['postgres']}, under load | "
           f"{r['processed']}/{r['accepted']} acknowledged processed; {len(r['unexpected'])} unclear answers | "
           "all acknowledged processed, clear 503s meanwhile | " + _verdict(r) + " |")  # fmt: skip
    lines = [
        "## Redis stopped, PostgreSQL restarted, under load",
        "",
        f"Signals at {r['rate']:g}/s throughout, against the system's own redis-server and its own PostgreSQL "
        "server (a throwaway cluster: the machine's shared services were never touched).",
        "",
        *[f"- {event}" for event in r["events"]],
        "",
        "| while | answers by status |",
        "|---|---|",
        *[f"| {phase} | {statuses} |" for phase, statuses in r["phases"].items()],
        "",
        f"Acknowledged (202): {r['accepted']}; processed afterwards (ordered and filled): {r['processed']}; "
        f"all final {r['recovery_seconds']:.1f} s after the load ended.",
    ]
    lines += _restarts(r)
    if r["unexpected"]:
        lines += ["", "Answers other than 202 or a clear 503:", "", *[f"- `{u}`" for u in r["unexpected"][:10]]]
    return row, lines


def fuzz(r: dict[str, Any]) -> tuple[str, list[str]]:
    if "error" in r:
        return f"| schemathesis | | | {_verdict(r)} |", []
    failures = sum(sum(p["failures"].values()) for p in r["passes"])
    errors = sum(p["server_errors"] for p in r["passes"])
    row = (f"| schemathesis against /api/schema/, {r['cases']} cases | {errors} 5xx, {failures} failed checks | "
           "≥ 5,000 cases, no 5xx, no schema violations | " + _verdict(r) + " |")  # fmt: skip
    lines = [
        "## Fuzzing the API from its OpenAPI schema",
        "",
        "schemathesis, every operation of `/api/schema/`, checks `not_a_server_error`, "
        "`response_schema_conformance`, `content_type_conformance` and `status_code_conformance`; one pass "
        "authenticated with a strategy key, one with an operator's user token.",
        "",
        "| pass | operations | cases | seconds | 5xx | failed checks |",
        "|---|---|---|---|---|---|",
        *[f"| {p['auth']} | {p['operations']} | {p['cases']} | {p['seconds']:.0f} | {p['server_errors']} | "
          f"{p['failures'] or 'none'} |" for p in r["passes"]],
    ]  # fmt: skip
    examples = [e for p in r["passes"] for e in p["examples"]]
    if examples:
        lines += ["", "One example per failing check and operation:", "", *[f"- `{e}`" for e in examples[:40]]]
    return row, lines


def matrix(r: dict[str, Any]) -> tuple[str, list[str]]:
    if "error" in r:
        return f"| Authentication and signature matrix | | | {_verdict(r)} |", []
    row = (f"| Authentication and signature matrix | {r['refused']}/{r['forged']} forged refused; anonymous "
           f"refused on {r['anonymous_checked'] - len(r['anonymous_allowed'])}/{r['anonymous_checked']} operations | "
           "every forged, stale or replayed request refused | " + _verdict(r) + " |")  # fmt: skip
    return row, [
        "## Authentication and signature matrix",
        "",
        "Against the running server: strategy keys, operator tokens, HMAC-signed requests (signature computed "
        "from the documented algorithm) and the dashboard websocket. Controls (genuine credentials) must pass.",
        "",
        "| request | expected | status | code |",
        "|---|---|---|---|",
        *[f"| {c['name']} | {c['expected']} | {c['status'] if c['status'] != -1 else 'refused'} | {c['code']} |"
          for c in r["cases"]],
        "",
        f"Every operation in the OpenAPI schema except the public probes and docs, called with no credentials: "
        f"{r['anonymous_checked']} checked, {len(r['anonymous_allowed'])} not refused. Signal rows left by refused "
        f"requests: {r['rows_created_by_refused']}.",
    ]  # fmt: skip


def audit(r: dict[str, Any]) -> tuple[str, list[str]]:
    if "error" in r:
        return f"| Audit trail | | | {_verdict(r)} |", []
    row = (f"| Audit trail hash chain after the soak ({r['events']} events) | intact; tampered rows "
           f"{r['edited_id']} and {r['deleted_id']} named | intact, tampering found by id | " + _verdict(r) + " |")
    return row, [
        "## Audit trail",
        "",
        f"After everything above: `manage.py verify_audit --seal` → `{r['sealed_report']}`. Then, as the table "
        f"owner with the append-only trigger switched off, event {r['edited_id']} was edited and event "
        f"{r['deleted_id']} deleted. `manage.py verify_audit` exited {r['exit_code_after_tamper']} with:",
        "",
        *[f"- `{line}`" for line in r["after_tamper"][:10]],
    ]


SECTIONS = {"storm": storm, "crash": crash, "outage": outage, "matrix": matrix, "fuzz": fuzz, "audit": audit}


def render(facts_md: str, results: dict[str, Any], notes: str) -> str:
    rows, details = [], []
    for name, section in SECTIONS.items():
        if name in results:
            row, body = section(results[name])
            rows.append(row)
            details += ["", *body]
    return "\n".join([
        "# Reliability",
        "",
        "Written by `make soak` (`.venv/bin/python -m soak`). The system runs as deployed (uvicorn, Celery workers "
        "and beat, its own redis-server and its own throwaway PostgreSQL server) and is driven through the HTTP "
        "API, the websocket, management commands and signals to its processes. The harness is in `soak/`; a "
        "shortened form of each scenario runs in `make test` (`tests/e2e/test_soak_short_*.py`).",
        "",
        facts_md,
        "",
        "| scenario | result | expected | verdict |",
        "|---|---|---|---|",
        *rows,
        *details,
        "",
        "## Notes",
        "",
        "Hand-written; `make soak` keeps this section as it is and rewrites everything above.",
        "",
        NOTES_START,
        notes,
        NOTES_END,
        "",
    ])  # fmt: skip
