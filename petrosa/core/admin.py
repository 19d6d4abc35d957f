from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from petrosa.core.models import AuditEvent, AuditSeal, MarketPrice, UserToken
from petrosa.core.user_tokens import user_token_revoke


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Records written only by services: visible in the admin, never hand-edited."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "created_at", "kind", "entity_type", "entity_id", "actor", "correlation_id")
    list_filter = ("kind", "entity_type")
    search_fields = ("entity_id", "actor", "correlation_id")
    date_hierarchy = "created_at"


@admin.register(AuditSeal)
class AuditSealAdmin(ReadOnlyModelAdmin):
    """The hash chain over the audit trail; `manage.py verify_audit` checks it."""

    list_display = ("seq", "event_id", "hash", "sealed_at")
    search_fields = ("event_id", "hash")


@admin.register(MarketPrice)
class MarketPriceAdmin(ReadOnlyModelAdmin):
    list_display = ("symbol", "price", "source", "updated_at")
    search_fields = ("symbol",)


@admin.register(UserToken)
class UserTokenAdmin(ReadOnlyModelAdmin):
    """Tokens are issued with `manage.py user_token_create` (the plaintext is shown
    once there); here they can be seen and revoked."""

    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "user__username", "name")
    actions = ["revoke"]

    @admin.action(description="Revoke selected tokens", permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[UserToken]) -> None:
        for token in queryset:
            user_token_revoke(token_id=token.pk, actor=f"user:{request.user.get_username()}")
        messages.success(request, f"Revoked {queryset.count()} token(s).")

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("core.delete_usertoken")
