"""The AI trade idea review queue in the admin.

Approve and reject are per-object views gated by signals_app.review_tradeidea;
users without it see neither the button nor the form, and get 403 if they
post anyway. Both call the same services as the API, which audit them.
"""

from __future__ import annotations

from typing import Any, Sequence

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from petrosa.core.admin import ReadOnlyModelAdmin
from petrosa.core.errors import DomainError
from signals_app.ideas.services import trade_idea_approve, trade_idea_reject
from signals_app.models_ideas import IdeaStatus, TradeIdea

REVIEW_PERMISSION = "signals_app.review_tradeidea"


class IdeaDecisionForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)


@admin.register(TradeIdea)
class TradeIdeaAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "symbol", "action", "confidence", "advisor", "rule", "state", "age", "review")
    list_filter = ("status", "advisor", "action")
    search_fields = ("symbol", "rationale", "requested_by", "decided_by")
    ordering = ("-id",)
    readonly_fields = ("signal",)

    def get_list_display(self, request: HttpRequest) -> Sequence[str]:
        if request.user.has_perm(REVIEW_PERMISSION):
            return self.list_display
        return [name for name in self.list_display if name != "review"]

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.has_perm(REVIEW_PERMISSION) or super().has_view_permission(request, obj)

    @admin.display(description="state")
    def state(self, obj: TradeIdea) -> str:
        if obj.status == IdeaStatus.PENDING and obj.is_expired:
            return "expired (not yet swept)"
        return obj.status

    @admin.display(description="age")
    def age(self, obj: TradeIdea) -> str:
        return f"{(timezone.now() - obj.created_at).total_seconds():.0f}s"

    @admin.display(description="review")
    def review(self, obj: TradeIdea) -> str:
        if obj.status != IdeaStatus.PENDING:
            return "—"
        url = reverse("admin:signals_app_tradeidea_review", args=[obj.pk])
        return format_html('<a class="button" href="{}">Review</a>', url)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.review_view)
        return [path("<int:idea_id>/review/", view, name="signals_app_tradeidea_review"), *super().get_urls()]

    def review_view(self, request: HttpRequest, idea_id: int) -> HttpResponse:
        if not request.user.has_perm(REVIEW_PERMISSION):
            raise PermissionDenied
        idea = get_object_or_404(TradeIdea, pk=idea_id)
        form = IdeaDecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            return self._decide(request, idea, form.cleaned_data["reason"])
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": f"Review AI trade idea #{idea.pk}",
            "idea": idea,
            "form": form,
            "opts": self.model._meta,
            "pending": idea.status == IdeaStatus.PENDING,
        }
        return TemplateResponse(request, "admin/signals_app/tradeidea_review.html", context)

    def _decide(self, request: HttpRequest, idea: TradeIdea, reason: str) -> HttpResponse:
        reviewer = f"user:{request.user.get_username()}"
        try:
            if "approve" in request.POST:
                idea = trade_idea_approve(idea_id=idea.pk, reviewer=reviewer, reason=reason)
                self.message_user(
                    request, f"Idea #{idea.pk} approved: signal #{idea.signal_id} goes on to the risk gate.",
                    messages.SUCCESS,
                )  # fmt: skip
            else:
                trade_idea_reject(idea_id=idea.pk, reviewer=reviewer, reason=reason)
                self.message_user(request, f"Idea #{idea.pk} rejected.", messages.SUCCESS)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.path)
        return HttpResponseRedirect(reverse("admin:signals_app_tradeidea_changelist") + "?status__exact=pending")
