"""The baseline the intake is compared with: a minimal DRF endpoint doing one INSERT."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from petrosa.core.api import json_plain
from petrosa.core.models import AuditEvent


@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
def baseline_insert(request: Request) -> Response:
    event = AuditEvent.objects.create(kind="bench.baseline", entity_type="bench", entity_id="0", actor="bench",
                                      data=json_plain(request.data))  # fmt: skip
    return Response({"id": event.pk}, status=201)


urlpatterns = [path("bench/baseline", baseline_insert), path("", include("petrosa.urls"))]
