"""What the dashboard shows: a snapshot when a socket connects, then the live
values (marks, unrealized P&L, equity, risk state) the socket diffs each tick.

Rows are plain JSON with Decimals as strings. Event payloads broadcast by the
services (order, fill, position, signal) use the same keys, so the page
treats a snapshot row and an event alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q, Sum

from execution_app.models import FINAL_ORDER_STATUSES, Fill, Order
from petrosa.core.models import MarketPrice
from petrosa.core.money import decimal_str
from risk_app.models import Position
from risk_app.services.kill_switch import risk_state_get
from signals_app.models import Signal

VIEW_PERMISSION = "risk_app.view_position"
RECENT_ROWS = 50
EQUITY_POINTS = 500
ZERO = Decimal("0")


def dashboard_allowed(user: Any) -> bool:
    """Staff who may view positions: every operator role, nobody else."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm(VIEW_PERMISSION)
    )


def dashboard_allowed_ids(user_ids: Iterable[int]) -> set[int]:
    """Which of these users dashboard_allowed() would admit, in one query (the
    tick re-checks every connected socket at once). Mirrors ModelBackend: an
    active superuser has every permission; anyone else needs it directly or
    through a group."""
    user_model = get_user_model()
    app_label, codename = VIEW_PERMISSION.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    direct = user_model.user_permissions.through.objects.filter(user_id=OuterRef("pk"), permission__in=permission)
    via_group = user_model.groups.through.objects.filter(user_id=OuterRef("pk"), group__permissions__in=permission)
    admitted = user_model.objects.filter(pk__in=list(user_ids), is_active=True, is_staff=True).filter(
        Q(is_superuser=True) | Exists(direct) | Exists(via_group)
    )
    return set(admitted.values_list("pk", flat=True))


def _marks(symbols: set[str]) -> dict[str, Decimal]:
    return dict(MarketPrice.objects.filter(symbol__in=symbols).values_list("symbol", "price"))


def _unrealized(position: Position, mark: Decimal | None) -> Decimal:
    if not position.quantity or mark is None:
        return ZERO
    direction = 1 if position.side == "LONG" else -1
    return (mark - position.avg_entry_price) * position.quantity * direction


def position_key(row: dict[str, Any]) -> str:
    return f"{row['symbol']}:{row['side']}"


def _position_row(position: Position, mark: Decimal | None) -> dict[str, Any]:
    return {
        "symbol": position.symbol,
        "side": position.side,
        "quantity": decimal_str(position.quantity),
        "avg_entry_price": decimal_str(position.avg_entry_price),
        "mark_price": decimal_str(mark),
        "unrealized_pnl": decimal_str(_unrealized(position, mark)),
        "realized_pnl": decimal_str(position.realized_pnl),
        "fees_paid": decimal_str(position.fees_paid),
    }


def _positions() -> list[Position]:
    return list(Position.objects.exclude(quantity=0, realized_pnl=0).order_by("symbol", "side"))


def position_rows_live(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Position event payloads re-marked at the latest price, so an event and
    the next tick agree on unrealized P&L."""
    marks = _marks({row["symbol"] for row in rows})
    live = []
    for row in rows:
        mark = marks.get(row["symbol"])
        if mark is None:
            live.append(row)
            continue
        quantity, entry = Decimal(row["quantity"] or "0"), Decimal(row["avg_entry_price"] or "0")
        direction = 1 if row["side"] == "LONG" else -1
        unrealized = (mark - entry) * quantity * direction if quantity else ZERO
        live.append({**row, "mark_price": decimal_str(mark), "unrealized_pnl": decimal_str(unrealized)})
    return live


def _order_row(order: Order) -> dict[str, Any]:
    return {
        "id": order.pk,
        "client_order_id": order.client_order_id,
        "symbol": order.symbol,
        "side": order.side,
        "type": order.order_type,
        "quantity": decimal_str(order.quantity),
        "price": decimal_str(order.price),
        "executed_quantity": decimal_str(order.executed_quantity),
        "status": order.status,
        "created_at": order.created_at.isoformat(),
    }


def _fill_row(fill: Fill) -> dict[str, Any]:
    return {
        "id": fill.pk,
        "order_id": fill.order_id,
        "symbol": fill.order.symbol,
        "side": fill.order.side,
        "price": decimal_str(fill.price),
        "quantity": decimal_str(fill.quantity),
        "commission": decimal_str(fill.commission),
        "commission_asset": fill.commission_asset,
        "realized_pnl": decimal_str(fill.realized_pnl),
        "created_at": fill.created_at.isoformat(),
    }


def _signal_row(signal: Signal) -> dict[str, Any]:
    decision = getattr(signal, "risk_decision", None)
    return {
        "id": signal.pk,
        "strategy": signal.strategy.name,
        "symbol": signal.symbol,
        "action": signal.action,
        "confidence": decimal_str(signal.confidence),
        "status": signal.status,
        "reason": signal.status_reason,
        "decision": decision.reason_code if decision else None,
        "received_at": signal.received_at.isoformat(),
    }


def _risk_row() -> dict[str, Any]:
    state = risk_state_get()
    return {
        "mode": state.effective_mode,  # what the gate applies: a tripped breaker shows as reduce-only
        "kill_switch": state.mode,
        "reason": state.reason,
        "changed_by": state.changed_by,
        "breaker_tripped": state.breaker_tripped,
    }


def _starting_equity() -> Decimal:
    return Decimal(str(settings.PAPER_STARTING_EQUITY))


def _equity_series() -> list[list[Any]]:
    """[[unix seconds, equity]] after each of the latest fills: starting equity
    plus realized P&L (net of fees) up to that fill."""
    recent = list(Fill.objects.order_by("-id").values_list("id", "created_at", "realized_pnl")[:EQUITY_POINTS])
    recent.reverse()
    if not recent:
        return []
    before = Fill.objects.filter(id__lt=recent[0][0]).aggregate(total=Sum("realized_pnl"))["total"] or ZERO
    equity = _starting_equity() + before
    series = []
    for _id, created_at, realized in recent:
        equity += realized
        series.append([round(created_at.timestamp(), 3), decimal_str(equity)])
    return series


def dashboard_live(positions: list[Position] | None = None) -> dict[str, Any]:
    """The values that move without an event: marks, unrealized P&L, equity, risk state."""
    positions = _positions() if positions is None else positions
    marks = _marks({p.symbol for p in positions})
    rows = {f"{p.symbol}:{p.side}": _position_row(p, marks.get(p.symbol)) for p in positions}
    realized = sum((p.realized_pnl for p in positions), ZERO)
    unrealized = sum((_unrealized(p, marks.get(p.symbol)) for p in positions), ZERO)
    return {
        "positions": rows,
        "equity": {
            "equity": decimal_str(_starting_equity() + realized + unrealized),
            "realized_pnl": decimal_str(realized),
            "unrealized_pnl": decimal_str(unrealized),
        },
        "risk_state": _risk_row(),
    }


def dashboard_snapshot() -> dict[str, Any]:
    live = dashboard_live()
    open_orders = Order.objects.exclude(status__in=FINAL_ORDER_STATUSES).order_by("-id")[:200]
    fills = Fill.objects.select_related("order").order_by("-id")[:RECENT_ROWS]
    signals = Signal.objects.select_related("strategy", "risk_decision").order_by("-id")[:RECENT_ROWS]
    return {
        "positions": list(live["positions"].values()),
        "equity": {**live["equity"], "starting": decimal_str(_starting_equity()), "series": _equity_series()},
        "risk_state": live["risk_state"],
        "open_orders": [_order_row(o) for o in open_orders],
        "fills": [_fill_row(f) for f in fills],
        "signals": [_signal_row(s) for s in signals],
    }


def live_from_snapshot(snapshot: dict[str, Any]) -> dict[str, Any]:
    """What a socket has been told once its snapshot went out, in dashboard_live() form."""
    return {
        "positions": {position_key(row): row for row in snapshot["positions"]},
        "equity": {k: snapshot["equity"][k] for k in ("equity", "realized_pnl", "unrealized_pnl")},
        "risk_state": snapshot["risk_state"],
    }


def live_with_position(live: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """`live` after a position event carried `row`, as a new dict: sockets share
    live states, so none is changed in place."""
    return {**live, "positions": {**live.get("positions", {}), position_key(row): row}}


def live_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Only what changed between two dashboard_live() results (empty: nothing to send)."""
    changes: dict[str, Any] = {}
    moved = {
        key: {"symbol": row["symbol"], "side": row["side"], "mark_price": row["mark_price"],
              "unrealized_pnl": row["unrealized_pnl"]}
        for key, row in after["positions"].items()
        if key in before["positions"]
        and (before["positions"][key]["mark_price"], before["positions"][key]["unrealized_pnl"])
        != (row["mark_price"], row["unrealized_pnl"])
    }  # fmt: skip
    added = [row for key, row in after["positions"].items() if key not in before["positions"]]
    if moved or added:
        changes["positions"] = [*moved.values(), *added]
    if after["equity"] != before["equity"]:
        changes["equity"] = after["equity"]
    if after["risk_state"] != before["risk_state"]:
        changes["risk_state"] = after["risk_state"]
    return changes
