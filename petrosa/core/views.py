"""Unauthenticated probes and scrapes: /health, /ready, /live, /version, /metrics.

They say whether the service works, never anything secret: no hosts'
credentials, no keys, no account data. Load balancers and Prometheus call
them without credentials.
"""

from __future__ import annotations

import platform

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from petrosa.core.health import health_components, readiness_components
from petrosa.core.metrics.exposition import metrics_render
from petrosa.core.version import DESCRIPTION, NAME, build_info


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    components = health_components()
    warnings = [f"{c.name}: {c.detail}" for c in components if not c.ok]
    critical_down = any(not c.ok and c.critical for c in components)
    status = "unhealthy" if critical_down else ("degraded" if warnings else "healthy")
    return JsonResponse(
        {
            "status": status,
            "trading_mode": settings.TRADING_MODE,
            "version": build_info().version,
            "components": {
                c.name: {
                    "ok": c.ok,
                    "status": c.state,
                    "critical": c.critical,
                    "detail": c.detail,
                    "latency_ms": c.latency_ms,
                }
                for c in components
            },
            "warnings": warnings,
        },
        status=503 if critical_down else 200,
    )


@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    failing = [c for c in readiness_components() if c.critical and not c.ok]
    if failing:
        return JsonResponse({"ready": False, "reasons": [f"{c.name}: {c.detail}" for c in failing]}, status=503)
    return JsonResponse({"ready": True})


@require_GET
def live(request: HttpRequest) -> JsonResponse:
    """The process answers: nothing else. A database outage must not make
    Kubernetes restart every replica; /ready takes them out of rotation instead."""
    return JsonResponse({"alive": True})


@require_GET
def version(request: HttpRequest) -> JsonResponse:
    info = build_info()
    return JsonResponse(
        {
            "name": NAME,
            "description": DESCRIPTION,
            "version": info.version,
            "git_commit": info.git_commit,
            "build_date": info.build_date,
            "python_version": platform.python_version(),
            "api_version": "v1",
        }
    )


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    body, content_type = metrics_render()
    return HttpResponse(body, content_type=content_type)
