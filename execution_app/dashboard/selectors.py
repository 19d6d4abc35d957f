"""What a dashboard shows when it connects: positions and the latest fills."""

from __future__ import annotations

from typing import Any

from execution_app.models import Fill
from execution_app.services.orders import fill_data
from risk_app.models import Position
from risk_app.services.kill_switch import risk_state_get
from risk_app.services.positions import position_data


def dashboard_snapshot(*, fills: int = 50) -> dict[str, Any]:
    positions = Position.objects.exclude(quantity=0, realized_pnl=0)
    recent = Fill.objects.select_related("order").order_by("-id")[:fills]
    return {
        "positions": [position_data(p) for p in positions],
        "fills": [fill_data(f) for f in recent],
        "risk_state": {"mode": risk_state_get().mode},
    }
