"""Trading configuration in the admin: edit any scope, preview, save with a reason.

Saves, removals and rollbacks call the same services as the API, so every
change is validated by the schema, versioned and audited. Every write needs
the configs_app.change_tradingconfig permission. History is read-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from configs_app.forms import ReasonForm, TradingConfigForm
from configs_app.models import TradingConfig, TradingConfigVersion
from configs_app.schema import PARAMETERS
from configs_app.selectors import config_history
from configs_app.services import ScopeRef, config_delete, config_preview, config_rollback, config_set
from petrosa.core.admin import ReadOnlyModelAdmin
from petrosa.core.errors import DomainError

CHANGE_PERMISSION = "configs_app.change_tradingconfig"


def _actor(request: HttpRequest) -> str:
    return f"user:{request.user.get_username()}"


def _ref(row: TradingConfig | TradingConfigVersion) -> ScopeRef:
    return ScopeRef(row.scope, row.symbol, row.side)


@admin.register(TradingConfig)
class TradingConfigAdmin(admin.ModelAdmin):
    list_display = ("__str__", "scope", "symbol", "side", "overrides", "version", "updated_by", "updated_at")
    list_filter = ("scope", "side")
    search_fields = ("symbol",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(CHANGE_PERMISSION)

    def has_change_permission(self, request: HttpRequest, obj: TradingConfig | None = None) -> bool:
        return request.user.has_perm(CHANGE_PERMISSION)

    def has_delete_permission(self, request: HttpRequest, obj: TradingConfig | None = None) -> bool:
        return False  # removal needs a reason: the "Remove overrides" page, not Django's delete

    @admin.display(description="overrides")
    def overrides(self, obj: TradingConfig) -> int:
        return len(obj.parameters)

    def get_urls(self) -> list[URLPattern]:
        remove = self.admin_site.admin_view(self.remove_view)
        return [path("<int:config_id>/remove/", remove, name="configs_app_tradingconfig_remove"), *super().get_urls()]

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        return self._edit(request, None)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return self._edit(request, get_object_or_404(TradingConfig, pk=object_id))

    def _edit(self, request: HttpRequest, row: TradingConfig | None) -> HttpResponse:
        may_change = self.has_change_permission(request)
        if request.method == "POST" and not may_change:
            raise PermissionDenied
        ref = _ref(row) if row else None
        form = TradingConfigForm(request.POST or None, ref=ref, stored=row.parameters if row else None)
        preview = None
        if request.method == "POST" and form.is_valid():
            if "_preview" not in request.POST:
                saved = self._save(request, form, row)
                if saved is not None:
                    return saved
            if form.ref is not None and form.is_valid():
                preview = config_preview(ref=form.ref, parameters=form.parameters)
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": f"Trading config: {ref.label}" if ref else "New trading config scope",
            "opts": self.model._meta,
            "form": form,
            "row": row,
            "may_change": may_change,
            "preview": _preview_rows(preview) if preview else None,
            "history": config_history(scope=row.scope, symbol=row.symbol or None, side=row.side or None)[:20]
            if row
            else [],
        }
        return TemplateResponse(request, "admin/configs_app/tradingconfig/edit.html", context)

    def _save(self, request: HttpRequest, form: TradingConfigForm, row: TradingConfig | None) -> HttpResponse | None:
        reason = form.cleaned_data.get("reason", "")
        if not reason.strip():
            form.add_error("reason", "A reason is required to save.")
            return None
        assert form.ref is not None
        if (
            row is None
            and TradingConfig.objects.filter(scope=form.ref.scope, symbol=form.ref.symbol, side=form.ref.side).exists()
        ):
            form.add_error(None, f"{form.ref.label} already has a config: edit that one.")
            return None
        try:
            change = config_set(
                ref=form.ref,
                parameters=form.parameters,
                replace=True,
                changed_by=_actor(request),
                agent="admin",
                reason=reason,
                expected_version=row.version if row else None,
            )
        except DomainError as exc:
            for name, problems in exc.fields.items():
                messages_ = [p["message"] if isinstance(p, dict) else str(p) for p in problems]
                form.add_error(name if name in form.fields else None, messages_)
            if not exc.fields:
                form.add_error(None, exc.message)
            return None
        self.message_user(
            request, f"{form.ref.label}: {change.action}, now version {change.version}.", messages.SUCCESS
        )
        return HttpResponseRedirect(reverse("admin:configs_app_tradingconfig_changelist"))

    def remove_view(self, request: HttpRequest, config_id: int) -> HttpResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        row = get_object_or_404(TradingConfig, pk=config_id)
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            change = config_delete(
                ref=_ref(row),
                changed_by=_actor(request),
                agent="admin",
                reason=form.cleaned_data["reason"],
                expected_version=row.version,
            )
            self.message_user(request, f"{change.ref.label}: overrides removed (version {change.version}).")
            return HttpResponseRedirect(reverse("admin:configs_app_tradingconfig_changelist"))
        return _confirm(self, request, form, f"Remove the overrides of {row}", row.parameters)


@admin.register(TradingConfigVersion)
class TradingConfigVersionAdmin(ReadOnlyModelAdmin):
    list_display = (
        "created_at",
        "scope",
        "symbol",
        "side",
        "version",
        "action",
        "changed_by",
        "agent",
        "reason",
        "rollback_link",
    )
    list_filter = ("scope", "action", "side")
    search_fields = ("symbol", "changed_by", "reason")
    actions = ["rollback_to_version"]

    @admin.display(description="rollback")
    def rollback_link(self, obj: TradingConfigVersion) -> str:
        url = reverse("admin:configs_app_tradingconfigversion_rollback", args=[obj.pk])
        return format_html('<a href="{}">Roll back to v{}</a>', url, obj.version)

    @admin.action(description="Roll back its scope to the selected version", permissions=["rollback"])
    def rollback_to_version(
        self, request: HttpRequest, queryset: QuerySet[TradingConfigVersion]
    ) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one version to roll back to.", messages.ERROR)
            return None
        url = reverse("admin:configs_app_tradingconfigversion_rollback", args=[queryset.get().pk])
        return HttpResponseRedirect(url)

    def has_rollback_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(CHANGE_PERMISSION)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.rollback_view)
        return [
            path("<int:version_id>/rollback/", view, name="configs_app_tradingconfigversion_rollback"),
            *super().get_urls(),
        ]

    def rollback_view(self, request: HttpRequest, version_id: int) -> HttpResponse:
        if not self.has_rollback_permission(request):
            raise PermissionDenied
        target = get_object_or_404(TradingConfigVersion, pk=version_id)
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                change = config_rollback(
                    ref=_ref(target),
                    version=target.version,
                    changed_by=_actor(request),
                    agent="admin",
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.message_user(
                    request, f"{change.ref.label} rolled back to v{target.version}: now v{change.version}."
                )
                return HttpResponseRedirect(reverse("admin:configs_app_tradingconfigversion_changelist"))
        title = f"Roll {_ref(target).label} back to version {target.version}"
        return _confirm(self, request, form, title, target.parameters_after)


def _confirm(
    model_admin: admin.ModelAdmin, request: HttpRequest, form: ReasonForm, title: str, parameters: dict[str, Any]
) -> HttpResponse:
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.model._meta,
        "form": form,
        "parameters": sorted(parameters.items()),
    }
    return TemplateResponse(request, "admin/configs_app/confirm_with_reason.html", context)


def _preview_rows(preview: Any) -> list[dict[str, Any]]:
    return [
        {"name": name, "value": PARAMETERS[name].to_json(value), "source": preview.sources[name]}
        for name, value in preview.values.items()
    ]
