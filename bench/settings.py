"""Benchmark settings: the project's settings plus the baseline endpoint's URLs."""

from __future__ import annotations

from petrosa.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405 - per-request log lines would be measured too
