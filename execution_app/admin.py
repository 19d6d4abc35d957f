"""Execution in the admin: orders with their fills and protective legs, positions
with live P&L, and the two operator actions, each with a required reason:

* cancel an order (permission ``execution_app.cancel_order``);
* close a position (permission ``execution_app.close_position``): a manual
  reduce-only close signal, which passes the risk gate like every signal.

Both call the same services as the API and are audited there.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from execution_app.models import (
    FINAL_ORDER_STATUSES,
    Fill,
    Order,
    PaperAccount,
    PaperAlgoOrder,
    PaperBalance,
    PaperOrder,
    PaperOrderList,
    PaperPosition,
    PaperSymbolSetting,
    PaperTrade,
    PositionBook,
    PositionFlag,
)
from execution_app.selectors import mark_prices, position_view, strategy_attribution
from execution_app.services.lifecycle import order_changed
from execution_app.services.manual import position_close_request
from execution_app.services.orders import order_cancel
from execution_app import admin_reconciliation  # noqa: F401 - registers the reconciliation and leverage admins
from petrosa.core.admin import ReadOnlyModelAdmin
from petrosa.core.errors import DomainError
from petrosa.core.money import decimal_str

CANCEL_PERMISSION = "execution_app.cancel_order"
CLOSE_PERMISSION = "execution_app.close_position"


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=500)


def _reason_page(request: HttpRequest, admin_site: admin.AdminSite, *, title: str, text: str, form: ReasonForm,
                 opts: Any, button: str) -> TemplateResponse:  # fmt: skip
    context = {**admin_site.each_context(request), "title": title, "text": text, "form": form, "opts": opts,
               "button": button}  # fmt: skip
    return TemplateResponse(request, "admin/execution_app/reason_action.html", context)


class FillInline(admin.TabularInline):
    model = Fill
    extra = 0
    can_delete = False
    fields = ("trade_id", "price", "quantity", "position_quantity", "commission", "commission_asset",
              "commission_quote", "is_maker", "realized_pnl", "created_at")  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ChildOrderInline(admin.TabularInline):
    """An entry's protective legs (and a flatten, if one was needed)."""

    model = Order
    fk_name = "parent"
    extra = 0
    can_delete = False
    verbose_name = "protective / child order"
    verbose_name_plural = "protective and child orders"
    fields = ("client_order_id", "role", "side", "order_type", "quantity", "stop_price", "status", "status_reason",
              "executed_quantity", "average_price", "leg_attempt")  # fmt: skip
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "client_order_id", "symbol", "side", "position_side", "role", "order_type", "quantity",
                    "price", "stop_price", "executed_quantity", "average_price", "status", "status_reason",
                    "created_at", "cancel_link")  # fmt: skip
    list_filter = ("status", "role", "side", "order_type", "exchange")
    list_select_related = ("signal",)
    search_fields = ("client_order_id", "exchange_order_id", "symbol", "oco_group")
    inlines = [FillInline, ChildOrderInline]

    @admin.display(description="cancel")
    def cancel_link(self, obj: Order) -> str:
        if obj.status in FINAL_ORDER_STATUSES:
            return "—"
        return format_html('<a class="button" href="{}">Cancel</a>',
                           reverse("admin:execution_app_order_cancel", args=[obj.pk]))  # fmt: skip

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.cancel_view)
        return [path("<int:order_id>/cancel/", view, name="execution_app_order_cancel"), *super().get_urls()]

    def cancel_view(self, request: HttpRequest, order_id: int) -> HttpResponse:
        if not request.user.has_perm(CANCEL_PERMISSION):
            raise PermissionDenied
        order = get_object_or_404(Order, pk=order_id)
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                order_changed(order_cancel(order_id=order.pk, actor=f"user:{request.user.get_username()}",
                                           reason=form.cleaned_data["reason"]))  # fmt: skip
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                order.refresh_from_db()
                self.message_user(request, f"Order {order.client_order_id} is {order.status}.", messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:execution_app_order_change", args=[order.pk]))
        return _reason_page(
            request, self.admin_site, title=f"Cancel order {order.client_order_id}", form=form, opts=self.model._meta,
            text=f"{order.side} {order.quantity} {order.symbol} ({order.order_type}, {order.role}) is {order.status}.",
            button="Cancel the order",
        )  # fmt: skip


@admin.register(Fill)
class FillAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "order", "symbol", "price", "quantity", "commission", "commission_asset", "realized_pnl",
                    "created_at")  # fmt: skip
    list_select_related = ("order",)
    search_fields = ("order__client_order_id", "trade_id", "symbol")
    date_hierarchy = "created_at"


@admin.register(PositionBook)
class PositionBookAdmin(ReadOnlyModelAdmin):
    """Positions marked to the last price, with per-strategy attribution and a close action."""

    list_display = ("symbol", "side", "quantity", "avg_entry_price", "mark", "unrealized", "realized_pnl",
                    "fees_paid", "updated_at", "close_link")  # fmt: skip
    list_filter = ("side",)
    search_fields = ("symbol",)
    readonly_fields = ("symbol", "side", "quantity", "avg_entry_price", "mark", "unrealized", "realized_pnl",
                       "fees_paid", "opened_at", "updated_at", "strategies", "open_flags")  # fmt: skip
    fields = readonly_fields

    def _view(self, obj: PositionBook) -> Any:
        return position_view(obj, mark_prices({obj.symbol}).get(obj.symbol))

    @admin.display(description="mark price")
    def mark(self, obj: PositionBook) -> str:
        return decimal_str(self._view(obj).mark_price) or "—"

    @admin.display(description="unrealized P&L")
    def unrealized(self, obj: PositionBook) -> str:
        return decimal_str(self._view(obj).unrealized_pnl) or "0"

    @admin.display(description="P&L per strategy (realized net of fees / fees / net quantity)")
    def strategies(self, obj: PositionBook) -> str:
        shares = strategy_attribution(symbol=obj.symbol)
        return "; ".join(f"{s.strategy}: {s.realized_pnl} / {s.fees} / {s.net_quantity}" for s in shares) or "—"

    @admin.display(description="open flags")
    def open_flags(self, obj: PositionBook) -> str:
        flags = PositionFlag.objects.filter(symbol=obj.symbol, position_side=obj.side, resolved_at__isnull=True)
        return "; ".join(f"{f.kind}: {f.detail}" for f in flags) or "—"

    @admin.display(description="close")
    def close_link(self, obj: PositionBook) -> str:
        if not obj.quantity:
            return "—"
        return format_html('<a class="button" href="{}">Close</a>',
                           reverse("admin:execution_app_positionbook_close", args=[obj.pk]))  # fmt: skip

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.close_view)
        return [path("<int:position_id>/close/", view, name="execution_app_positionbook_close"), *super().get_urls()]

    def close_view(self, request: HttpRequest, position_id: int) -> HttpResponse:
        if not request.user.has_perm(CLOSE_PERMISSION):
            raise PermissionDenied
        position = get_object_or_404(PositionBook, pk=position_id)
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            result = position_close_request(
                symbol=position.symbol, position_side=position.side,
                actor=f"user:{request.user.get_username()}", reason=form.cleaned_data["reason"],
            )  # fmt: skip
            result.signal.refresh_from_db()
            self.message_user(
                request, f"Close signal #{result.signal.pk} sent for {position.symbol} {position.side}: "
                         f"{result.signal.status} {result.signal.status_reason}".strip(), messages.SUCCESS,
            )  # fmt: skip
            return HttpResponseRedirect(reverse("admin:execution_app_positionbook_changelist"))
        return _reason_page(
            request, self.admin_site, title=f"Close {position.symbol} {position.side}", form=form,
            opts=self.model._meta, button="Close the position",
            text=f"{position.quantity} {position.symbol} {position.side} will be closed at market, reduce-only, "
                 "after its protective orders are cancelled. It passes the risk gate as a manual close signal.",
        )  # fmt: skip


@admin.register(PositionFlag)
class PositionFlagAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "symbol", "position_side", "kind", "detail", "order", "created_at", "resolved_at",
                    "resolved_by")  # fmt: skip
    list_filter = ("kind", ("resolved_at", admin.EmptyFieldListFilter))
    list_select_related = ("order",)


@admin.register(PaperOrder)
class PaperOrderAdmin(ReadOnlyModelAdmin):
    list_display = ("exchange_order_id", "client_order_id", "symbol", "side", "quantity", "status", "created_at")
    list_filter = ("status", "side")
    search_fields = ("client_order_id", "symbol")


# The paper exchange's own books: what "the exchange" holds, for comparing with ours. Read-only.
PAPER_LISTS: dict[type, tuple[str, ...]] = {
    PaperAccount: ("id", "name", "market", "dual_side_position", "created_at"),
    PaperBalance: ("id", "account", "asset", "free", "locked"),
    PaperSymbolSetting: ("id", "account", "symbol", "leverage", "margin_type"),
    PaperPosition: ("id", "account", "symbol", "position_side", "amount", "entry_price", "realized_pnl", "updated_at"),
    PaperOrderList: ("order_list_id", "account", "symbol", "list_client_order_id", "list_order_status", "created_at"),
    PaperTrade: ("trade_id", "account", "symbol", "side", "price", "quantity", "commission", "commission_asset",
                 "is_maker", "created_at"),
    PaperAlgoOrder: ("algo_id", "account", "client_algo_id", "symbol", "side", "order_type", "created_at"),
}  # fmt: skip
for paper_model, columns in PAPER_LISTS.items():
    admin.site.register(paper_model, type(f"{paper_model.__name__}Admin", (ReadOnlyModelAdmin,),
                                          {"list_display": columns}))  # fmt: skip
