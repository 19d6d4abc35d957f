"""Unauthenticated probes: /health, /ready, /live, /version."""

from __future__ import annotations

import platform

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from petrosa.core.health import health_components


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
            "components": {c.name: {"ok": c.ok, "detail": c.detail} for c in components},
            "warnings": warnings,
        },
        status=503 if critical_down else 200,
    )


@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    failing = [c for c in health_components() if c.critical and not c.ok]
    if failing:
        return JsonResponse({"ready": False, "reasons": [f"{c.name}: {c.detail}" for c in failing]}, status=503)
    return JsonResponse({"ready": True})


@require_GET
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"alive": True})


@require_GET
def version(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "name": "Petrosa Control Plane",
            "version": settings.PETROSA_VERSION,
            "git_commit": settings.PETROSA_GIT_COMMIT,
            "build_date": settings.PETROSA_BUILD_DATE,
            "python_version": platform.python_version(),
            "api_version": "v1",
        }
    )
