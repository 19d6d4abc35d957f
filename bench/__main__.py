"""make bench: every measurement in turn, each in its own process on a fresh
database, then BENCHMARKS.md.

    .venv/bin/python -m bench                    # everything, full size (~15 min on 2 cores)
    .venv/bin/python -m bench --quick            # smaller loads, to check the harness
    .venv/bin/python -m bench --only intake fanout   # re-measure these, keep the other figures
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from bench.machine import facts, facts_markdown, load_average
from bench.report import kept_notes, render
from bench.runner import run_isolated, template_build
from bench.stack import REPO, SHARED_POSTGRES

FULL: dict[str, list[dict[str, Any]]] = {
    "intake": [{"clients": 16, "seconds": 15}],
    # The target's rate, then a rate the two cores keep up with (for the latency of a trip without a queue).
    "signal_to_fill": [{"rate": 50, "seconds": 60, "entry_rate": 18}, {"rate": 10, "seconds": 60, "entry_rate": 4}],
    "throughput": [{"signals": 1000, "tasks": 3000}],
    "scaling": [{"dimension": "signals"}, {"dimension": "positions"}],
    "fanout": [{"clients": 200, "fills": 20}],
}
# Measurements run with several option sets, whose results are kept as a list.
LISTED = {"scaling", "signal_to_fill"}
QUICK: dict[str, list[dict[str, Any]]] = {
    "intake": [{"clients": 16, "seconds": 3}],
    "signal_to_fill": [{"rate": 20, "seconds": 10, "entry_rate": 8, "signal_workers": 1, "execution_workers": 1}],
    "throughput": [{"signals": 100, "tasks": 300, "signal_workers": 1, "execution_workers": 1}],
    "scaling": [{"dimension": "signals", "levels": [10, 1000], "probes": 3},
                {"dimension": "positions", "levels": [1, 100], "probes": 3}],
    "fanout": [{"clients": 20, "fills": 3}],
}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="small loads: checks the harness, not the system")
    parser.add_argument("--only", nargs="*", choices=sorted(FULL), help="run only these measurements")
    parser.add_argument("--output", default=str(REPO / "BENCHMARKS.md"))
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    names = args.only or list(plan)

    machine = facts(SHARED_POSTGRES)
    print(f"bench: {machine['cores']} cores, load {machine['load_before']}; migrating the template database",
          flush=True)
    template_build()
    saved = REPO / "var" / ("bench-results-quick.json" if args.quick else "bench-results.json")
    # --only re-measures some and keeps the previous run's other figures (the command line says so).
    results: dict[str, Any] = json.loads(saved.read_text()) if args.only and saved.exists() else {}
    for listed in LISTED & set(names):
        results[listed] = []
    for name in names:
        for options in plan[name]:
            started = time.monotonic()
            print(f"bench: {name} {json.dumps(options)}", flush=True)
            result = run_isolated(name, options)
            brief = json.dumps({k: v for k, v in result.items() if k != "profile"}, default=str)[:600]
            print(f"bench: {name} done in {time.monotonic() - started:.0f} s: {brief}", flush=True)
            if name in LISTED:
                results.setdefault(name, []).append(result)
            else:
                results[name] = result
    machine["load_after"] = load_average()
    command = f"python -m bench {' '.join(sys.argv[1:])}" if args.quick or args.only else "make bench"
    merged = ", merged with the previous run's other measurements (var/bench-results.json)" if args.only else ""
    output = Path(args.output)
    output.write_text(render(facts_markdown(machine, command=command, note=merged), results, kept_notes(output)))
    saved.parent.mkdir(exist_ok=True)
    saved.write_text(json.dumps(results, default=str, indent=1))
    print(f"bench: wrote {output}")


if __name__ == "__main__":
    main()
