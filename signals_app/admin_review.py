"""The manual-review queue in the admin: approve or reject, with a reason.

Both actions are per-object views gated by the review_signal permission, call
the review services, and are audited there with the operator's name.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from petrosa.core.admin import ReadOnlyModelAdmin
from petrosa.core.models import AuditEvent
from signals_app.models import Signal, SignalReview, SignalStatus
from signals_app.services.review import signal_review_approve, signal_review_reject

REVIEW_PERMISSION = "signals_app.review_signal"


class ReviewForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


def conflicting_signals(signal: Signal) -> QuerySet[Signal]:
    """The signals this one was parked against, as recorded when it was parked."""
    event = AuditEvent.objects.filter(entity_type="signal", entity_id=str(signal.pk), kind="signal.pending_review")
    ids = (event.values_list("data", flat=True).first() or {}).get("conflicts_with", [])
    return Signal.objects.filter(pk__in=ids).select_related("strategy").order_by("id")


@admin.register(SignalReview)
class SignalReviewAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "strategy", "symbol", "action", "confidence", "strength_score", "waiting")
    list_select_related = ("strategy",)
    ordering = ("received_at",)

    def get_list_display(self, request: HttpRequest) -> tuple[str, ...]:
        """The Review button only for reviewers: viewers see the queue, not the action."""
        return (*self.list_display, "review") if request.user.has_perm(REVIEW_PERMISSION) else self.list_display

    def get_queryset(self, request: HttpRequest) -> QuerySet[Signal]:
        return super().get_queryset(request).filter(status=SignalStatus.PENDING_REVIEW)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.has_perm(REVIEW_PERMISSION) or super().has_view_permission(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    @admin.display(description="waiting")
    def waiting(self, obj: Signal) -> str:
        return f"{(timezone.now() - obj.received_at).total_seconds():.0f}s"

    @admin.display(description="review")
    def review(self, obj: Signal) -> str:
        return format_html('<a class="button" href="{}">Review</a>', reverse("admin:signals_app_review", args=[obj.pk]))

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.review_view)
        return [path("<int:signal_id>/review/", view, name="signals_app_review"), *super().get_urls()]

    def review_view(self, request: HttpRequest, signal_id: int) -> HttpResponse:
        if not request.user.has_perm(REVIEW_PERMISSION):
            raise PermissionDenied
        signal = get_object_or_404(Signal.objects.select_related("strategy"), pk=signal_id)
        form = ReviewForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            return self._decide(request, signal, form.cleaned_data["reason"])
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": f"Review signal #{signal.pk}",
            "signal": signal,
            "conflicts": conflicting_signals(signal),
            "form": form,
            "opts": self.model._meta,
            "pending": signal.status == SignalStatus.PENDING_REVIEW,
        }
        return TemplateResponse(request, "admin/signals_app/review.html", context)

    def _decide(self, request: HttpRequest, signal: Signal, reason: str) -> HttpResponse:
        reviewer = f"user:{request.user.get_username()}"
        if "approve" in request.POST:
            outcome = signal_review_approve(signal_id=signal.pk, reviewer=reviewer, reason=reason)
            self.message_user(request, outcome.message, messages.SUCCESS if outcome.approved else messages.ERROR)
        else:
            if not reason.strip():
                self.message_user(request, "Rejecting needs a reason.", messages.ERROR)
                return HttpResponseRedirect(request.path)
            signal_review_reject(signal_id=signal.pk, reviewer=reviewer, reason=reason)
            self.message_user(request, f"Signal #{signal.pk} rejected.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:signals_app_signalreview_changelist"))
