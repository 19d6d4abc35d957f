"""The portfolio the gate guards: equity and exposure."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db.models import Sum

from risk_app.models import Position


def portfolio_equity() -> Decimal:
    """Paper account equity: starting balance plus realized P&L (net of fees)."""
    realized = Position.objects.aggregate(total=Sum("realized_pnl"))["total"] or Decimal("0")
    return Decimal(settings.PAPER_STARTING_EQUITY) + realized


def position_quantity(*, symbol: str, side: str) -> Decimal:
    quantity = Position.objects.filter(symbol=symbol, side=side).values_list("quantity", flat=True).first()
    return quantity or Decimal("0")
