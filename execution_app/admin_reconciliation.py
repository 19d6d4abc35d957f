"""Admin: the reconciliation workbench and the leverage/margin table.

Differences are listed (open first); each has a per-object "Resolve" view
with the actions that fit it (adopt, close, cancel orphan, ignore) and a
reason, gated by ``execution_app.resolve_reconciliation``. Leverage rows can
be force-synced with a reason (``execution_app.force_leverage``). The views
call the services, which audit every change with the operator's name.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from execution_app.exchange import exchange_for_mode
from execution_app.models_binance import IssueStatus, ReconciliationIssue, ReconciliationRun, SymbolLeverage
from execution_app.services.leverage import leverage_force
from execution_app.services.reconciliation import reconciliation_run
from execution_app.services.reconciliation_actions import issue_actions, reconciliation_issue_resolve
from petrosa.core.admin import ReadOnlyModelAdmin
from petrosa.core.errors import DomainError

RESOLVE_PERMISSION = "execution_app.resolve_reconciliation"
FORCE_PERMISSION = "execution_app.force_leverage"
ACTION_LABELS = {
    "adopt": "Adopt the exchange's state",
    "close": "Close on the exchange",
    "cancel_orphan": "Cancel the orphan on the exchange",
    "ignore": "Ignore (reason required)",
}


class ResolveForm(forms.Form):
    action = forms.ChoiceField(choices=())
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, actions: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(a, ACTION_LABELS[a]) for a in actions]


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


def _actor(request: HttpRequest) -> str:
    return f"user:{request.user.get_username()}"


@admin.register(ReconciliationIssue)
class ReconciliationIssueAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "kind", "symbol", "position_side", "client_order_id", "status", "resolution",
                    "created_at", "resolve")  # fmt: skip
    list_filter = ("status", "kind", "resolution")
    search_fields = ("symbol", "client_order_id")
    readonly_fields = ("run", "last_seen_run", "kind", "symbol", "position_side", "client_order_id", "order", "ours",
                       "theirs", "status", "resolution", "resolved_by", "resolved_at", "reason", "detail")  # fmt: skip
    change_list_template = "admin/execution_app/reconciliation_changelist.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReconciliationIssue]:
        open_first = Case(When(status=IssueStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
        return super().get_queryset(request).annotate(open_first=open_first).order_by("open_first", "-id")

    @admin.display(description="resolve")
    def resolve(self, obj: ReconciliationIssue) -> str:
        if obj.status != IssueStatus.OPEN:
            return "—"
        url = reverse("admin:execution_app_reconciliation_resolve", args=[obj.pk])
        return format_html('<a class="button" href="{}">Resolve</a>', url)

    def get_urls(self) -> list[URLPattern]:
        resolve = self.admin_site.admin_view(self.resolve_view)
        run = self.admin_site.admin_view(self.run_view)
        return [
            path("<int:issue_id>/resolve/", resolve, name="execution_app_reconciliation_resolve"),
            path("run/", run, name="execution_app_reconciliation_run"),
            *super().get_urls(),
        ]

    def resolve_view(self, request: HttpRequest, issue_id: int) -> HttpResponse:
        if not request.user.has_perm(RESOLVE_PERMISSION):
            raise PermissionDenied
        issue = get_object_or_404(ReconciliationIssue.objects.select_related("order"), pk=issue_id)
        form = ResolveForm(request.POST or None, actions=issue_actions(issue))
        if request.method == "POST" and form.is_valid():
            try:
                reconciliation_issue_resolve(
                    issue_id=issue.pk, action=form.cleaned_data["action"], actor=_actor(request),
                    reason=form.cleaned_data["reason"], exchange=exchange_for_mode(),  # type: ignore[arg-type]
                )  # fmt: skip
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return HttpResponseRedirect(request.path)
            self.message_user(request, f"Difference #{issue.pk} settled.", messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:execution_app_reconciliationissue_changelist"))
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": f"Resolve difference #{issue.pk}",
            "issue": issue,
            "form": form,
            "opts": self.model._meta,
            "pending": issue.status == IssueStatus.OPEN,
        }
        return TemplateResponse(request, "admin/execution_app/reconciliation_resolve.html", context)

    def run_view(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST" or not request.user.has_perm(RESOLVE_PERMISSION):
            raise PermissionDenied
        exchange = exchange_for_mode()
        if not hasattr(exchange, "positions"):
            self.message_user(request, "Reconciliation runs against Binance (testnet or live).", messages.ERROR)
        else:
            trigger = ReconciliationRun.Trigger.MANUAL
            run = reconciliation_run(exchange=exchange, trigger=trigger)  # type: ignore[arg-type]
            level = messages.SUCCESS if run.status == ReconciliationRun.Status.COMPLETED else messages.ERROR
            self.message_user(request, f"Run #{run.pk}: {run.status}, {run.differences_found} difference(s). "
                              f"{run.error}", level)  # fmt: skip
        return HttpResponseRedirect(reverse("admin:execution_app_reconciliationissue_changelist"))


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "trigger", "exchange", "status", "started_at", "finished_at", "orders_checked",
                    "positions_checked", "differences_found", "resolved_automatically", "error")  # fmt: skip
    list_filter = ("status", "trigger")


@admin.register(SymbolLeverage)
class SymbolLeverageAdmin(ReadOnlyModelAdmin):
    list_display = ("symbol", "configured_leverage", "actual_leverage", "configured_margin_type",
                    "actual_margin_type", "in_sync", "last_sync_at", "last_error", "forced_by", "force")  # fmt: skip
    list_filter = ("in_sync",)
    search_fields = ("symbol",)

    @admin.display(description="force sync")
    def force(self, obj: SymbolLeverage) -> str:
        url = reverse("admin:execution_app_leverage_force", args=[obj.pk])
        return format_html('<a class="button" href="{}">Force</a>', url)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.force_view)
        return [path("<int:row_id>/force/", view, name="execution_app_leverage_force"), *super().get_urls()]

    def force_view(self, request: HttpRequest, row_id: int) -> HttpResponse:
        if not request.user.has_perm(FORCE_PERMISSION):
            raise PermissionDenied
        row = get_object_or_404(SymbolLeverage, pk=row_id)
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            exchange = exchange_for_mode()
            if not hasattr(exchange, "set_leverage"):
                self.message_user(request, "Leverage is set on Binance USD-M (testnet or live).", messages.ERROR)
            else:
                reason = form.cleaned_data["reason"]
                row = leverage_force(exchange=exchange, symbol=row.symbol, actor=_actor(request), reason=reason)
                level = messages.SUCCESS if row.in_sync else messages.WARNING
                self.message_user(request, f"{row.symbol}: {row.actual_leverage}x {row.actual_margin_type}"
                                  f"{' — ' + row.last_error if row.last_error else ''}", level)  # fmt: skip
            return HttpResponseRedirect(reverse("admin:execution_app_symbolleverage_changelist"))
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": f"Force leverage and margin type on {row.symbol}",
            "row": row,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/execution_app/leverage_force.html", context)
