from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from signals_app import admin_review  # noqa: F401 - registers the review queue
from signals_app import admin_engine  # noqa: F401 - registers the built-in strategies
from signals_app import admin_ideas  # noqa: F401 - registers the AI trade idea queue
from petrosa.core.admin import ReadOnlyModelAdmin
from signals_app.models import SignatureNonce, Signal, Strategy
from signals_app.services.strategies import strategy_rotate_key


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active", "weight", "require_signature", "key_prefix", "key_rotated_at", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "description")
    readonly_fields = ("key_prefix", "key_rotated_at", "require_signature", "created_at")
    actions = ["rotate_key"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # strategies get a key at creation: use `manage.py strategy_create`

    @admin.action(description="Rotate API key (shows the new key once)", permissions=["change"])
    def rotate_key(self, request: HttpRequest, queryset: QuerySet[Strategy]) -> None:
        for strategy in queryset:
            key = strategy_rotate_key(strategy=strategy, actor=f"user:{request.user.get_username()}")
            self.message_user(request, f"New key for {strategy.name}: {key}", messages.WARNING)


@admin.register(Signal)
class SignalAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "strategy", "symbol", "action", "confidence", "status", "status_reason", "received_at")
    list_filter = ("status", "action", "strategy_mode", "source", "strategy")
    search_fields = ("symbol", "idempotency_key", "correlation_id")
    date_hierarchy = "received_at"
    list_select_related = ("strategy",)


@admin.register(SignatureNonce)
class SignatureNonceAdmin(ReadOnlyModelAdmin):
    """Signed requests already used (kept for twice the ±300 s tolerance)."""

    list_display = ("signature", "strategy", "created_at")
    list_filter = ("strategy",)
