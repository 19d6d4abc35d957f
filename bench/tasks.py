"""The baseline the pipeline's throughput is compared with: a trivial Celery
task, on the same broker and worker processes, that only records when it ran.
Loaded into the bench's workers with `celery worker -I bench.tasks`."""

from __future__ import annotations

import time
from functools import cache

import redis
from celery import shared_task
from django.conf import settings


@cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


@shared_task(name="bench.noop", ignore_result=True)
def noop(key: str) -> None:
    _redis().rpush(key, time.time())
