"""Risk records in the admin, and the two controls operators need in a hurry:
the kill switch and the breaker re-arm. Both are per-object views gated by a
permission, need a reason, and call the same services as the API (audited there)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from petrosa.core.admin import ReadOnlyModelAdmin
from petrosa.core.errors import DomainError
from risk_app.models import PortfolioDay, Position, RiskDecision, RiskState, TradingMode
from risk_app.services.kill_switch import risk_breaker_rearm, risk_set_mode, risk_state_get

CHANGE_PERMISSION = "risk_app.change_riskstate"
REARM_PERMISSION = "risk_app.rearm_breaker"


@admin.register(RiskDecision)
class RiskDecisionAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "signal", "approved", "reason_code", "side", "quantity", "price", "notional", "created_at")
    list_filter = ("approved", "reason_code", "reduce_only")
    search_fields = ("signal__symbol", "reason_code")
    list_select_related = ("signal", "signal__strategy")


@admin.register(Position)
class PositionAdmin(ReadOnlyModelAdmin):
    list_display = (
        "symbol", "side", "quantity", "avg_entry_price", "mark_price", "unrealized_pnl", "realized_pnl",
        "fees_paid", "updated_at",
    )  # fmt: skip
    list_filter = ("side",)
    search_fields = ("symbol",)


@admin.register(PortfolioDay)
class PortfolioDayAdmin(ReadOnlyModelAdmin):
    list_display = ("day", "start_equity", "start_realized_pnl", "start_unrealized_pnl", "loss_baseline_equity")


class KillSwitchForm(forms.Form):
    mode = forms.ChoiceField(choices=TradingMode.choices)
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class RearmForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(RiskState)
class RiskStateAdmin(ReadOnlyModelAdmin):
    list_display = ("mode", "effective", "breaker_tripped", "breaker_tripped_at", "reason", "changed_by",
                    "changed_at")  # fmt: skip

    def get_list_display(self, request: HttpRequest) -> tuple[str, ...]:
        """Only the buttons the user may press: a viewer sees the state, not the controls."""
        controls = tuple(
            column
            for column, permission in (("kill_switch_control", CHANGE_PERMISSION), ("rearm_control", REARM_PERMISSION))
            if request.user.has_perm(permission)
        )
        return (*self.list_display, *controls)

    @admin.display(description="applied mode")
    def effective(self, obj: RiskState) -> str:
        return obj.effective_mode

    @admin.display(description="kill switch")
    def kill_switch_control(self, obj: RiskState) -> str:
        return format_html('<a class="button" href="{}">Kill switch</a>', reverse("admin:risk_app_kill_switch"))

    @admin.display(description="breaker")
    def rearm_control(self, obj: RiskState) -> str:
        return format_html('<a class="button" href="{}">Re-arm breaker</a>', reverse("admin:risk_app_breaker_rearm"))

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        risk_state_get()  # the single row always exists, so its controls are always on the list
        return super().changelist_view(request, extra_context)

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("kill-switch/", wrap(self.kill_switch_view), name="risk_app_kill_switch"),
            path("breaker-rearm/", wrap(self.rearm_view), name="risk_app_breaker_rearm"),
            *super().get_urls(),
        ]

    def kill_switch_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm(CHANGE_PERMISSION):
            raise PermissionDenied
        state = risk_state_get()
        form = KillSwitchForm(request.POST or None, initial={"mode": state.mode})
        if request.method == "POST" and form.is_valid():
            return self._apply(
                request,
                lambda actor: risk_set_mode(mode=form.cleaned_data["mode"], actor=actor,
                                            reason=form.cleaned_data["reason"]),
                "Kill switch set to {mode}.",
            )  # fmt: skip
        return self._render(request, "Set the kill switch", form, state)

    def rearm_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm(REARM_PERMISSION):
            raise PermissionDenied
        state = risk_state_get()
        form = RearmForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            return self._apply(
                request,
                lambda actor: risk_breaker_rearm(actor=actor, reason=form.cleaned_data["reason"]),
                "Breaker re-armed; the applied mode is {mode}.",
            )
        return self._render(request, "Re-arm the daily-loss breaker", form, state)

    def _apply(self, request: HttpRequest, change: Any, message: str) -> HttpResponse:
        try:
            state = change(f"user:{request.user.get_username()}")
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.path)
        self.message_user(request, message.format(mode=state.effective_mode), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:risk_app_riskstate_changelist"))

    def _render(self, request: HttpRequest, title: str, form: forms.Form, state: RiskState) -> HttpResponse:
        context = {**self.admin_site.each_context(request), "title": title, "form": form, "state": state,
                   "opts": self.model._meta}  # fmt: skip
        return TemplateResponse(request, "admin/risk_app/risk_state_change.html", context)
