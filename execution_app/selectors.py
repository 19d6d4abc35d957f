"""Reads for the order, position and account endpoints, the admin and the dashboard.

Per-strategy attribution follows the foreign keys down the layers:
Fill → Order → RiskDecision → Signal → Strategy. A fill's realized P&L (net
of its fee) belongs to the strategy whose order made the fill; a strategy's
open quantity is the signed sum of its fills (buys +, sells −) per symbol.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from execution_app.models import LIVE_ORDER_STATUSES, Fill, Order, OrderStatus, PositionFlag
from petrosa.core.models import MarketPrice
from risk_app.models import Position, PositionSide

ZERO = Decimal("0")
WORKING_STATUSES = (OrderStatus.HELD, OrderStatus.PENDING, OrderStatus.SUBMITTING, OrderStatus.UNKNOWN,
                    *LIVE_ORDER_STATUSES)  # fmt: skip


def orders_visible_to(*, strategy_id: int | None, is_staff: bool) -> QuerySet[Order]:
    """A strategy sees the orders of its own signals; staff see all; anyone else none."""
    queryset = Order.objects.select_related("signal__strategy", "decision", "parent").prefetch_related(
        "fills", "children"
    )
    if strategy_id is not None:
        return queryset.filter(decision__signal__strategy_id=strategy_id)
    return queryset if is_staff else queryset.none()


def mark_prices(symbols: set[str]) -> dict[str, Decimal]:
    return dict(MarketPrice.objects.filter(symbol__in=symbols).values_list("symbol", "price"))


@dataclass(frozen=True)
class StrategyShare:
    strategy: str
    symbol: str
    net_quantity: Decimal  # buys minus sells, as the position saw them
    realized_pnl: Decimal  # net of fees
    fees: Decimal
    fills: int
    volume: Decimal  # quote traded


@dataclass(frozen=True)
class PositionView:
    symbol: str
    side: str
    quantity: Decimal
    avg_entry_price: Decimal
    mark_price: Decimal | None
    unrealized_pnl: Decimal
    realized_pnl: Decimal
    fees_paid: Decimal
    notional: Decimal
    opened_at: datetime | None
    updated_at: datetime
    flags: list[dict[str, object]] = field(default_factory=list)
    protective_orders: list[Order] = field(default_factory=list)


def position_view(position: Position, mark: Decimal | None) -> PositionView:
    """A position marked at the last market price (else its last fill price)."""
    price = mark or position.mark_price
    direction = 1 if position.side == PositionSide.LONG else -1
    unrealized = (price - position.avg_entry_price) * position.quantity * direction if price and position.quantity \
        else ZERO  # fmt: skip
    return PositionView(
        symbol=position.symbol,
        side=position.side,
        quantity=position.quantity,
        avg_entry_price=position.avg_entry_price,
        mark_price=price,
        unrealized_pnl=unrealized,
        realized_pnl=position.realized_pnl,
        fees_paid=position.fees_paid,
        notional=(price or ZERO) * position.quantity,
        opened_at=position.opened_at,
        updated_at=position.updated_at,
    )


def positions_list(*, symbol: str | None = None, include_flat: bool = False) -> list[PositionView]:
    queryset = Position.objects.order_by("symbol", "side")
    if symbol:
        queryset = queryset.filter(symbol=symbol)
    if include_flat:  # closed ones too, but not the empty rows of sides never traded
        queryset = queryset.filter(Q(quantity__gt=0) | ~Q(fees_paid=0) | ~Q(realized_pnl=0))
    else:
        queryset = queryset.filter(quantity__gt=0)
    rows = list(queryset)
    marks = mark_prices({p.symbol for p in rows})
    flags = _open_flags({p.symbol for p in rows})
    legs = _working_protection({p.symbol for p in rows})
    views = []
    for position in rows:
        view = position_view(position, marks.get(position.symbol))
        view.flags.extend(flags.get((position.symbol, position.side), []))
        view.protective_orders.extend(legs.get((position.symbol, position.side), []))
        views.append(view)
    return views


def _open_flags(symbols: set[str]) -> dict[tuple[str, str], list[dict[str, object]]]:
    out: dict[tuple[str, str], list[dict[str, object]]] = {}
    for flag in PositionFlag.objects.filter(symbol__in=symbols, resolved_at__isnull=True).select_related("order"):
        out.setdefault((flag.symbol, flag.position_side), []).append(
            {"id": flag.pk, "kind": flag.kind, "detail": flag.detail, "entry": flag.order.client_order_id,
             "created_at": flag.created_at}
        )  # fmt: skip
    return out


def _working_protection(symbols: set[str]) -> dict[tuple[str, str], list[Order]]:
    out: dict[tuple[str, str], list[Order]] = {}
    legs = Order.objects.filter(
        symbol__in=symbols, role__in=("stop_loss", "take_profit"), status__in=WORKING_STATUSES
    ).order_by("id")
    for leg in legs:
        out.setdefault((leg.symbol, leg.position_side), []).append(leg)
    return out


def strategy_attribution(*, symbol: str | None = None, since: datetime | None = None) -> list[StrategyShare]:
    """Realized P&L, fees, volume and net quantity per strategy and symbol."""
    fills = Fill.objects.all()
    if symbol:
        fills = fills.filter(symbol=symbol)
    if since:
        fills = fills.filter(created_at__gte=since)
    signed = Coalesce(F("position_quantity"), F("quantity"))
    rows = (
        fills.values("order__decision__signal__strategy__name", "symbol")
        .annotate(
            bought=Coalesce(Sum(signed, filter=Q(order__side="BUY")), ZERO),
            sold=Coalesce(Sum(signed, filter=Q(order__side="SELL")), ZERO),
            realized=Coalesce(Sum("realized_pnl"), ZERO),
            fees=Coalesce(Sum("commission_quote"), ZERO),
            volume=Coalesce(Sum("quote_quantity"), ZERO),
            count=Count("id"),
        )
        .order_by("order__decision__signal__strategy__name", "symbol")
    )
    return [
        StrategyShare(
            strategy=row["order__decision__signal__strategy__name"],
            symbol=row["symbol"],
            net_quantity=row["bought"] - row["sold"],
            realized_pnl=row["realized"],
            fees=row["fees"],
            fills=row["count"],
            volume=row["volume"],
        )
        for row in rows
    ]


def strategy_pnl_totals(*, since: datetime | None = None) -> dict[str, dict[str, Decimal]]:
    """Per strategy, across symbols: realized P&L net of fees, fees, volume."""
    totals: dict[str, dict[str, Decimal]] = {}
    for share in strategy_attribution(since=since):
        entry = totals.setdefault(share.strategy, {"realized_pnl": ZERO, "fees": ZERO, "volume": ZERO})
        entry["realized_pnl"] += share.realized_pnl
        entry["fees"] += share.fees
        entry["volume"] += share.volume
    return totals


def realized_pnl_since(moment: datetime) -> Decimal:
    """Realized P&L (net of fees) of the fills booked since ``moment``."""
    return Fill.objects.filter(created_at__gte=moment).aggregate(total=Coalesce(Sum("realized_pnl"), ZERO))["total"]


def order_by_reference(*, symbol: str, reference: str) -> Order | None:
    """The seed paths' ``order_id``: the exchange's order id, else our client order
    id, else our own id."""
    queryset = Order.objects.filter(symbol=symbol)
    found = queryset.filter(exchange_order_id=reference).order_by("-id").first()
    found = found or queryset.filter(client_order_id=reference).first()
    if found is None and reference.isascii() and reference.isdigit():  # "²".isdigit() is True, int("²") fails
        found = queryset.filter(pk=int(reference)).first()
    return found
