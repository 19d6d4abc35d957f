from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from execution_app.api.signal_trace import signal_detail
from execution_app.dashboard.views import dashboard
from petrosa.core import views as core_views
from signals_app.views import signals_collection

api_v1 = [
    path("signals", signals_collection, name="signals"),
    path("signals/<int:signal_id>", signal_detail, name="signal-detail"),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
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
