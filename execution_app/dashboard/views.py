from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from execution_app.dashboard.selectors import dashboard_allowed


@staff_member_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The page; its data comes over the websocket, which checks the same permission."""
    if not dashboard_allowed(request.user):
        raise PermissionDenied
    return render(request, "dashboard/index.html")
