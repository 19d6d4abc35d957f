"""Where a process spends its time during a measurement: py-spy samples the
running processes (and their children, for prefork workers) from outside,
without changing them. Returns the top costs, or nothing when py-spy is not
installed or may not attach (py-spy needs ptrace rights)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from bench.stack import REPO

# py-spy names a frame's file relative to its sys.path entry.
PROJECT_PACKAGES = ("petrosa/", "configs_app/", "signals_app/", "risk_app/", "execution_app/")


class Profiler:
    def __init__(self, pids: dict[str, int], *, seconds: float, rate: int = 50) -> None:
        self.files: dict[str, Path] = {}
        self.procs: list[subprocess.Popen[bytes]] = []
        py_spy = shutil.which("py-spy") or str(Path(REPO / ".venv" / "bin" / "py-spy"))
        if not Path(py_spy).exists():
            return
        for name, pid in pids.items():
            out = Path(tempfile.mkstemp(prefix=f"petrosa-pyspy-{name}-", suffix=".txt")[1])
            self.files[name] = out
            self.procs.append(subprocess.Popen(
                [py_spy, "record", "--pid", str(pid), "--subprocesses", "--duration", str(int(seconds)), "--rate",
                 str(rate), "--format", "raw", "--nonblocking", "--output", str(out)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ))  # fmt: skip

    def finish(self, *, top: int = 10) -> dict[str, Any]:
        for proc in self.procs:
            try:
                proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                proc.kill()
        report = {name: summarize(path.read_text(errors="replace"), top=top) for name, path in self.files.items()
                  if path.exists() and path.stat().st_size}  # fmt: skip
        for path in self.files.values():
            if not os.environ.get("BENCH_KEEP_PROFILES"):
                path.unlink(missing_ok=True)
        return report


def _frame(raw: str) -> tuple[str, str]:
    """'function (path/to/file.py:123)' -> ('function', 'path/to/file.py')."""
    name, _, where = raw.partition(" (")
    return name.strip(), where.rsplit(":", 1)[0]


def _short(path: str) -> str:
    for marker in ("site-packages/", str(REPO) + "/", "lib/python3"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def summarize(raw: str, *, top: int) -> dict[str, Any]:
    """Top functions by time inside them (self) and project functions by time under them (inclusive)."""
    total = 0
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [_frame(f) for f in stack.split(";") if f]
        frames = [f for f in frames if f[1]]  # drop the "process 123" roots
        if not frames:
            continue
        name, path = frames[-1]
        own[f"{name} ({_short(path)})"] += count
        seen = set()
        for name, path in frames:
            if path.startswith(PROJECT_PACKAGES):
                key = f"{name} ({_short(path)})"
                if key not in seen:
                    inclusive[key] += count
                    seen.add(key)
    if not total:
        return {"samples": 0}
    pct = lambda n: round(100 * n / total, 1)  # noqa: E731
    return {
        "samples": total,
        "self": [(k, pct(v)) for k, v in own.most_common(top)],
        "project_inclusive": [(k, pct(v)) for k, v in inclusive.most_common(top)],
    }
