from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from execution_app.api import exchange_control
from execution_app.api import urls as execution_urls
from execution_app.api.signal_trace import signal_detail
from execution_app.api.status import execution_history, execution_orders, execution_status, service_info, status_view
from execution_app.dashboard.views import dashboard
from petrosa.core import views as core_views
from petrosa.core.views_market import market_simulate_view
from risk_app.api import urls as risk_urls
from signals_app.views import signals_collection
from signals_app.views_ideas import ai_analyze, ai_idea_action, ai_ideas
from signals_app.views_seed import trade, trade_signal
from signals_app.views_strategies import (
    activate_strategy,
    active_signals,
    deactivate_strategy,
    set_strategy_weight,
    signals_summary,
    strategies_collection,
)

api_v1 = [
    path("signals", signals_collection, name="signals"),
    path("signals/<int:signal_id>", signal_detail, name="signal-detail"),
    path("", include(execution_urls.api_v1_patterns)),
    path("config/leverage/status", exchange_control.leverage_status, name="config-leverage-status"),
    path("config/leverage/<str:symbol>/sync", exchange_control.leverage_sync, name="config-leverage-sync"),
    path("config/", include("configs_app.urls")),
    path("reconciliation/status", exchange_control.reconciliation_status, name="reconciliation-status"),
    path("reconciliation/run", exchange_control.reconciliation_run_now, name="reconciliation-run"),
    path("reconciliation/issues/<int:issue_id>/resolve", exchange_control.reconciliation_issue_resolve_view,
         name="reconciliation-issue-resolve"),
    path("risk/", include(risk_urls.api_v1_patterns)),
    path("market/simulate", market_simulate_view, name="market-simulate"),
    path("ai/analyze", ai_analyze, name="ai-analyze"),
    path("ai/ideas", ai_ideas, name="ai-ideas"),
    path("ai/ideas/<int:idea_id>/action", ai_idea_action, name="ai-idea-action"),
]

# The seed engines' paths (seed docs 000-003), kept as their strategies and scripts call them.
seed_compatible = [
    path("trade", trade, name="seed-trade"),
    path("trade/signal", trade_signal, name="seed-trade-signal"),
    path("strategies", strategies_collection, name="strategies"),
    path("strategies/<str:name>/activate", activate_strategy, name="strategy-activate"),
    path("strategies/<str:name>/deactivate", deactivate_strategy, name="strategy-deactivate"),
    path("signals/strategy/<str:name>/weight", set_strategy_weight, name="strategy-weight"),
    path("signals/summary", signals_summary, name="signals-summary"),
    path("signals/active", active_signals, name="signals-active"),
    path("", include(execution_urls.seed_patterns)),
    path("risk/", include(risk_urls.seed_patterns)),
    path("market/simulate", market_simulate_view, name="seed-market-simulate"),
    path("ai/analyze", ai_analyze, name="seed-ai-analyze"),
    path("ai/ideas/<int:idea_id>/action", ai_idea_action, name="seed-ai-idea-action"),
]

handler404 = "petrosa.core.api.not_found"

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("", include(seed_compatible)),
    path("health", core_views.health, name="health"),
    path("ready", core_views.ready, name="ready"),
    path("live", core_views.live, name="live"),
    path("version", core_views.version, name="version"),
    path("metrics", core_views.metrics, name="metrics"),
    path("", service_info, name="service-info"),
    path("status", status_view, name="status"),
    path("execution/status", execution_status, name="execution-status"),
    path("execution/orders", execution_orders, name="execution-orders"),
    path("execution/history", execution_history, name="execution-history"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("dashboard/", dashboard, name="dashboard"),
    path("admin/", admin.site.urls),
]
