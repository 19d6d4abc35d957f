"""The audit trail after the soak: `manage.py verify_audit --seal` must find the
hash chain intact; then someone with table ownership edits one event and
deletes another behind the append-only trigger, and `verify_audit` must fail
and name both by id."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import connection

from bench.stack import manage
from petrosa.core.models import AuditEvent
from soak.verdict import Judged


@dataclass
class AuditResult(Judged):
    events: int
    sealed_report: str
    edited_id: int
    deleted_id: int
    after_tamper: list[str]
    exit_code_after_tamper: int
    problems: list[str] = field(default_factory=list)


def _as_table_owner(sql: str, params: list[object]) -> None:
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(sql.format(table=table), params)
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def audit_run(env: dict[str, str]) -> AuditResult:
    connection.close()
    clean = manage(env, "verify_audit", "--seal", check=False)
    ids = list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True))
    if len(ids) < 3:
        raise RuntimeError("too few audit events to tamper with")
    edited, deleted = ids[len(ids) // 2], ids[len(ids) // 3]
    _as_table_owner("UPDATE {table} SET actor = %s WHERE id = %s", ["attacker", edited])
    _as_table_owner("DELETE FROM {table} WHERE id = %s", [deleted])
    tampered = manage(env, "verify_audit", check=False)
    problems_found = [line for line in tampered.stderr.splitlines() if re.match(r"(event|seal) \d+", line)]
    result = AuditResult(events=len(ids), sealed_report=(clean.stdout.strip() or clean.stderr.strip())[-300:],
                         edited_id=edited, deleted_id=deleted, after_tamper=problems_found,
                         exit_code_after_tamper=tampered.returncode)  # fmt: skip
    if clean.returncode != 0 or "intact" not in clean.stdout:
        result.problems.append(f"verify_audit --seal did not find the trail intact: {clean.stderr[-500:]}")
    if tampered.returncode == 0:
        result.problems.append("verify_audit passed a tampered trail")
    if not any(line.startswith(f"event {edited}:") and "tampered" in line for line in problems_found):
        result.problems.append(f"the edited event {edited} was not named: {problems_found[:5]}")
    if not any(line.startswith(f"event {deleted}:") and "missing" in line for line in problems_found):
        result.problems.append(f"the deleted event {deleted} was not named: {problems_found[:5]}")
    return result
