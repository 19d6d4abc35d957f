"""/api/v1/config/... (seed 004). The fixed words come before {symbol}, so a
symbol can never shadow schema, defaults, health, history or rollback."""

from __future__ import annotations

from django.urls import path

from configs_app import views

urlpatterns = [
    path("health", views.config_health, name="config-health"),
    path("validate", views.config_validate, name="config-validate"),
    path("trading", views.trading_global, name="config-trading"),
    path("trading/schema", views.trading_schema, name="config-trading-schema"),
    path("trading/defaults", views.trading_defaults, name="config-trading-defaults"),
    path("trading/health", views.config_health, name="config-trading-health"),
    path("trading/history", views.trading_history, name="config-trading-history"),
    path("trading/rollback", views.trading_rollback, name="config-trading-rollback"),
    path("trading/<str:symbol>", views.trading_symbol, name="config-trading-symbol"),
    path("trading/<str:symbol>/<str:side>", views.trading_symbol_side, name="config-trading-symbol-side"),
]
