"""The facts a figure is meaningless without: when, on what, under what load."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import psycopg

from bench.stack import REPO


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def git_commit() -> str:
    """Read from .git without running git: the checked-out commit."""
    git = REPO / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head[:12]
        ref = head[5:]
        if (git / ref).exists():
            return (git / ref).read_text().strip()[:12]
        for line in (git / "packed-refs").read_text().splitlines():
            if line.endswith(ref):
                return line.split()[0][:12]
    except OSError:
        pass
    return "unknown"


def postgres_version(server_url: str) -> str:
    try:
        with psycopg.connect(f"{server_url}/postgres", connect_timeout=5) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else "unknown"
    except psycopg.Error:
        return "unknown"


def redis_version() -> str:
    try:
        out = subprocess.run(["redis-server", "--version"], capture_output=True, text=True, timeout=10).stdout
        return next((part.split("=", 1)[1] for part in out.split() if part.startswith("v=")), out.strip())
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def facts(server_url: str) -> dict[str, Any]:
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "cpu": cpu_model(),
        "memory_gib": round(memory_gib(), 1),
        "python": platform.python_version(),
        "postgres": postgres_version(server_url),
        "redis": redis_version(),
        "commit": git_commit(),
        "load_before": load_average(),
    }


def facts_markdown(facts: dict[str, Any], *, command: str, note: str = "") -> str:
    return "\n".join([
        f"- **Date:** {facts['date']}; commit `{facts['commit']}`",
        f"- **Machine:** {facts['cores']} cores, {facts['cpu']}, {facts['memory_gib']} GiB RAM; Python "
        f"{facts['python']}, PostgreSQL {facts['postgres']}, Redis {facts['redis']}",
        f"- **Command:** `{command}`{note}",
        f"- **Load average (1/5/15 min):** {facts['load_before']} at the start, {facts.get('load_after', '?')} at "
        "the end. The machine was shared with other work while this ran; figures from a quiet machine will be better.",
    ])  # fmt: skip
