"""make soak: the reliability and security scenarios in turn against one
running system, then RELIABILITY.md.

    .venv/bin/python -m soak             # full size (~10 min on 2 cores)
    .venv/bin/python -m soak --quick     # smaller, to check the harness

Everything runs on a throwaway PostgreSQL server (initdb into a temp dir, a free
port) and a private redis-server, so stopping and restarting them disturbs
nobody. The order matters: the pipeline scenarios first, the auth matrix and
the fuzzer (whose operator pass may halt trading) after, the audit check last.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.machine import facts, facts_markdown, load_average
from bench.report import kept_notes
from bench.stack import REPO, base_env, database_migrated
from tests.e2e.processes import free_port

FULL = {"storm": {"requests": 1000, "clients": 50}, "crash": {"orders": 200, "kills": 6, "rate": 5},
        "outage": {"rate": 5, "before": 10, "redis_down": 60, "between": 10, "after": 20, "postgres_down": 5},
        "fuzz": {"max_examples": 15}}  # fmt: skip
QUICK = {"storm": {"requests": 100, "clients": 10}, "crash": {"orders": 30, "kills": 2, "rate": 5},
         "outage": {"rate": 5, "before": 3, "redis_down": 5, "between": 3, "after": 5, "postgres_down": 2},
         "fuzz": {"max_examples": 2, "min_cases": 500}}  # fmt: skip
# Recovery within seconds, not the production defaults' tens of seconds; what recovers is the same code.
FAST_RECOVERY = {"PETROSA_SWEEP_INTERVAL_SECONDS": "2", "PETROSA_SWEEP_STALE_AFTER_SECONDS": "10",
                 "PETROSA_ORDER_RECONCILE_AFTER_SECONDS": "5"}  # fmt: skip


def _guarded(name: str, results: dict[str, Any], action: Callable[[], dict[str, Any]]) -> None:
    started = time.monotonic()
    print(f"soak: {name} ...", flush=True)
    try:
        results[name] = action()
    except Exception as exc:  # noqa: BLE001 - one broken scenario must not hide the others' figures
        traceback.print_exc()
        results[name] = {"error": f"{exc.__class__.__name__}: {str(exc)[:300]}"}
    verdict = results[name].get("passed", results[name].get("error"))
    print(f"soak: {name} done in {time.monotonic() - started:.0f} s: passed={verdict}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m soak")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="*", choices=["storm", "crash", "outage", "matrix", "fuzz", "audit"])
    parser.add_argument("--output", default=str(REPO / "RELIABILITY.md"))
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    wanted = set(args.only or ["storm", "crash", "outage", "matrix", "fuzz", "audit"])

    from soak.postgres import PostgresCluster

    cluster = PostgresCluster()
    cluster.start()
    try:
        database_url = database_migrated(cluster.url, "petrosa_proof_soak")
        redis_port = free_port()
        env = base_env(database_url=database_url, redis_url=f"redis://127.0.0.1:{redis_port}/0",
                       DJANGO_SETTINGS_MODULE="petrosa.settings", **FAST_RECOVERY)  # fmt: skip
        os.environ.update({k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE",
                                               "PETROSA_TRADING_MODE")})  # fmt: skip
        # This process reads the database across a PostgreSQL restart: plain connections, checked before
        # reuse, instead of a pool that would hand back the dead ones.
        os.environ["DB_POOL"] = "false"
        import django

        django.setup()
        machine = facts(cluster.url)
        results = _scenarios(env, redis_port, cluster, plan, wanted)
        machine["load_after"] = load_average()
    finally:
        cluster.destroy()

    from soak.report import render

    command = "make soak" + (" (python -m soak --quick)" if args.quick else "")
    output = Path(args.output)
    output.write_text(render(facts_markdown(machine, command=command), results, kept_notes(output)))
    (REPO / "var").mkdir(exist_ok=True)
    (REPO / "var" / "soak-results.json").write_text(json.dumps(results, default=str, indent=1))
    print(f"soak: wrote {output}")


def _last_line(result: Any) -> str:
    return str(result.stdout).strip().splitlines()[-1]


def _scenarios(env: dict[str, str], redis_port: int, cluster: Any, plan: dict[str, Any],
               wanted: set[str]) -> dict[str, Any]:  # fmt: skip
    from bench.pipeline import HIGH_RATE_LIMITS
    from bench.stack import Logins, Stack, config_set, manage
    from soak.audit import audit_run
    from soak.crash import crash_run
    from soak.fuzz import fuzz_run
    from soak.matrix import matrix_run
    from soak.outage import outage_run
    from soak.storm import storm_run

    def storm(stack: Stack, logins: Logins) -> dict[str, Any]:
        stack.start_worker("storm-worker")
        try:
            return storm_run(stack.base_url, logins, **plan["storm"]).as_dict()
        finally:
            stack.stop("storm-worker")

    def crash(stack: Stack, logins: Logins) -> dict[str, Any]:
        try:
            return crash_run(stack, logins, **plan["crash"]).as_dict()
        finally:
            for name in [n for n in stack.processes if n.startswith("chaos")]:
                stack.stop(name)

    def outage(stack: Stack, logins: Logins) -> dict[str, Any]:
        options = dict(plan["outage"])
        down = options.pop("postgres_down")

        def postgres_outage() -> None:
            cluster.stop("fast")
            time.sleep(down)
            cluster.start()

        stack.start_worker("outage-a")
        stack.start_worker("outage-b")
        try:
            return outage_run(stack, logins, postgres_outage=postgres_outage,
                              postgres_label=f"PostgreSQL stopped for {down:g} s and started again",
                              **options).as_dict()  # fmt: skip
        finally:
            stack.stop("outage-a")
            stack.stop("outage-b")

    def matrix(stack: Stack, logins: Logins) -> dict[str, Any]:
        signed_key = stack.strategy("matrix_signed")
        secret = _last_line(manage(stack.env, "strategy_signing", "enable", "matrix_signed"))
        doomed_key = stack.strategy("matrix_doomed")
        spare = _last_line(manage(stack.env, "user_token_create", "operator", "--name", "spare"))
        return matrix_run(stack, logins, signed_key=signed_key, signed_secret=secret, spare_token=spare,
                          doomed_strategy="matrix_doomed", doomed_key=doomed_key).as_dict()  # fmt: skip

    def fuzz(stack: Stack, logins: Logins) -> dict[str, Any]:
        return fuzz_run(stack.base_url, strategy_key=logins.strategy_key, operator_token=logins.token,
                        **plan["fuzz"]).as_dict()  # fmt: skip

    def audit(stack: Stack, logins: Logins) -> dict[str, Any]:
        return audit_run(stack.env).as_dict()

    results: dict[str, Any] = {}
    with Stack(env=env, redis_port=redis_port) as stack:
        stack.supervise()
        stack.start_redis()
        stack.start_web(workers=2)
        logins = stack.logins()
        config_set(stack.base_url, logins.token, HIGH_RATE_LIMITS)
        stack.start_beat()
        for name, scenario in (("storm", storm), ("crash", crash), ("outage", outage), ("matrix", matrix),
                               ("fuzz", fuzz), ("audit", audit)):  # fmt: skip
            if name in wanted:
                _guarded(name, results, lambda scenario=scenario: scenario(stack, logins))
    return results


if __name__ == "__main__":
    main()
