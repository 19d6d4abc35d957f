"""Risk routes: under /api/v1/risk/ and at the seed 003 paths under /risk/."""

from __future__ import annotations

from django.urls import path

from risk_app.api import views

api_v1_patterns = [
    path("status", views.risk_status, name="risk-status"),
    path("kill-switch", views.kill_switch, name="risk-kill-switch"),
    path("breaker/rearm", views.breaker_rearm, name="risk-breaker-rearm"),
]

seed_patterns = [
    path("status", views.risk_status, name="seed-risk-status"),
    path("activate", views.risk_activate, name="seed-risk-activate"),
    path("deactivate", views.risk_deactivate, name="seed-risk-deactivate"),
]
