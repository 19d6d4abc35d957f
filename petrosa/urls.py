from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from execution_app.api.signal_trace import signal_detail
from execution_app.dashboard.views import dashboard
from petrosa.core import views as core_views
from signals_app.views import signals_collection
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
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("", include(seed_compatible)),
    path("health", core_views.health, name="health"),
    path("ready", core_views.ready, name="ready"),
    path("live", core_views.live, name="live"),
    path("version", core_views.version, name="version"),
    path("", include("django_prometheus.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("dashboard/", dashboard, name="dashboard"),
    path("admin/", admin.site.urls),
]
