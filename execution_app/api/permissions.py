"""Who may read and change orders and positions.

Reads: staff see everything; a strategy key sees its own orders (and the
positions and account, which are shared). Writes: an operator with the
permission, never a strategy key, except that a strategy may cancel its own
orders.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from petrosa.core.errors import Forbidden
from signals_app.auth import strategy_of

PLACE_PERMISSION = "execution_app.place_manual_order"
CANCEL_PERMISSION = "execution_app.cancel_order"


def actor_of(request: Request) -> str:
    strategy = strategy_of(request)
    if strategy is not None:
        return f"strategy:{strategy.name}"
    return f"user:{request.user.get_username()}"


class StaffOrStrategyKey(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        if strategy_of(request) is not None or getattr(request.user, "is_staff", False):
            return True
        raise Forbidden("Only operators (staff) and strategy keys may read this.", code="operator_required")


def require_operator_permission(request: Request, permission: str, *, what: str) -> None:
    if strategy_of(request) is not None:
        raise Forbidden(f"A strategy key cannot {what}; an operator must.", code="operator_required")
    if not getattr(request.user, "is_staff", False):
        raise Forbidden(f"Only operators (staff) may {what}.", code="operator_required")
    if not request.user.has_perm(permission):
        raise Forbidden(f"To {what} you need the {permission} permission.")
