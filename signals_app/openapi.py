"""Tells drf-spectacular how strategies authenticate, so the schema and Swagger UI show it."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class StrategyKeyScheme(OpenApiAuthenticationExtension):
    target_class = "signals_app.auth.StrategyKeyAuthentication"
    name = "strategyKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A strategy's API key (ptk_...), as `Authorization: Bearer <key>` or `X-API-Key: <key>`.",
        }
