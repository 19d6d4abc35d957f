"""Protective orders: stop-loss and take-profit legs for a filled entry, one-cancels-the-other.

* ``protection_arm``: once an entry is filled (or finished with a partial
  fill) it gets a stop-loss and/or a take-profit for the quantity it put on
  the position. Both legs share ``oco_group``; they are reduce-only market
  triggers (futures: STOP_MARKET / TAKE_PROFIT_MARKET). On spot, where every
  open sell locks its quantity, the stop-loss rests on the exchange
  (STOP_LOSS_LIMIT when the symbol takes no STOP_LOSS) and the take-profit is
  held by us, released as a market order (stop cancelled first) when crossed.
  A leg whose trigger the market has already crossed is not sent (Binance
  would answer -2021): the entry's quantity is closed at market instead.
* ``oco_settle``: the first fill on one leg cancels the other.
* ``protection_retry``: a leg the exchange refused is placed again, up to
  ``max_retries`` times; then the position is flagged, the operator alerted
  (AuditEvent ``alert.protective_failed`` and a dashboard event), and, when
  ``PETROSA_FLATTEN_UNPROTECTED`` is on, the unprotected quantity is closed.

Every function changes rows in one transaction and returns a FollowUp: the
exchange calls happen after commit, outside any transaction.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from execution_app.models import (
    FINAL_ORDER_STATUSES,
    LIVE_ORDER_STATUSES,
    Order,
    OrderRole,
    OrderStatus,
    PositionFlag,
)
from execution_app.services.followup import FollowUp
from execution_app.services.planning import exchange_rules
from execution_app.services.state import client_order_id_for, order_transition
from execution_app.sizing import failure_code, order_violation, price_snap, quantity_snap
from petrosa.core.audit import audit_record
from petrosa.core.broadcast import broadcast_on_commit
from petrosa.core.errors import Unprocessable
from petrosa.core.market import price_latest
from risk_app.services.portfolio import position_quantity

S = OrderStatus
LEG_CODES = {OrderRole.STOP_LOSS: "sl", OrderRole.TAKE_PROFIT: "tp"}
# Binance type of each leg per market: a market order once the trigger is crossed.
LEG_TYPES = {
    "usdm": {OrderRole.STOP_LOSS: "STOP_MARKET", OrderRole.TAKE_PROFIT: "TAKE_PROFIT_MARKET"},
    "spot": {OrderRole.STOP_LOSS: "STOP_LOSS", OrderRole.TAKE_PROFIT: "TAKE_PROFIT"},
}
LIMIT_LEG_TYPES = {"STOP_MARKET": "STOP", "TAKE_PROFIT_MARKET": "TAKE_PROFIT", "STOP_LOSS": "STOP_LOSS_LIMIT",
                   "TAKE_PROFIT": "TAKE_PROFIT_LIMIT"}  # fmt: skip
NOT_YET_SENT = (S.HELD, S.PENDING)


def entry_needs_protection(entry: Order) -> bool:
    if entry.role != OrderRole.ENTRY or not entry.executed_quantity:
        return False
    if entry.status not in (S.FILLED, S.CANCELED, S.EXPIRED):
        return False  # still working: protect the whole fill once it is done
    wanted = entry.params.get("protection") or {}
    return any(value is not None for value in wanted.values())


def protection_arm(*, entry_id: int) -> FollowUp:
    """Create the protective legs of a finished entry, once. Idempotent."""
    with transaction.atomic():
        entry = Order.objects.select_for_update().select_related("signal").get(pk=entry_id)
        if not entry_needs_protection(entry) or entry.children.filter(role__in=LEG_CODES).exists():
            return FollowUp()
        if entry.children.filter(role=OrderRole.CLOSE).exists():
            return FollowUp()  # already flattened instead
        rules = exchange_rules(entry.symbol)
        quantity = _protected_quantity(entry)
        if quantity <= 0:
            return FollowUp()
        exit_side = "SELL" if entry.side == "BUY" else "BUY"
        triggers = _trigger_prices(entry, exit_side)
        market_price = _market_price(entry.symbol)
        crossed = [role for role, price in triggers.items() if market_price and _crossed(role, exit_side, price,
                                                                                         market_price)]  # fmt: skip
        if crossed:
            audit_record(
                kind="protective.already_crossed", entity_type="order", entity_id=entry.pk, actor="execution",
                correlation_id=entry.signal.correlation_id,
                data={"legs": crossed, "market_price": market_price, "triggers": triggers},
            )  # fmt: skip
            return FollowUp(submit=[_close_order(entry, quantity, leg="x", reason="trigger_already_crossed").pk])
        # Spot locks the quantity of every open sell, so two exchange legs cannot both rest:
        # there the take-profit is held by us and released (stop cancelled first) when crossed.
        held = {OrderRole.TAKE_PROFIT} if rules.market == "spot" and len(triggers) > 1 else set()
        legs = [_create_leg(entry, role, price, quantity, exit_side, rules.market, attempt=1, held=role in held)
                for role, price in triggers.items()]  # fmt: skip
        audit_record(
            kind="protective.armed", entity_type="order", entity_id=entry.pk, actor="execution",
            correlation_id=entry.signal.correlation_id,
            data={"legs": {leg.role: leg.client_order_id for leg in legs}, "quantity": quantity,
                  "triggers": triggers, "held": sorted(held)},
        )  # fmt: skip
    return FollowUp(submit=[leg.pk for leg in legs if leg.status == S.PENDING])


def _protected_quantity(entry: Order) -> Decimal:
    """What the entry put on the position (a base-asset fee already taken
    out), snapped down to the step so the legs never try to sell more. No more
    than the position holds: in one-way mode part of the entry may have closed
    the other side first (a sell of 0.03 against a 0.01 long leaves a 0.02 short)."""
    held = entry.fills.aggregate(total=Sum("position_quantity"))["total"] or entry.executed_quantity
    held = min(held, position_quantity(symbol=entry.symbol, side=entry.position_side))
    rules = exchange_rules(entry.symbol)
    return quantity_snap(held, rules, {}, market_order=True)


def _trigger_prices(entry: Order, exit_side: str) -> dict[str, Decimal]:
    """Absolute prices from the signal, or fractions of the average fill price."""
    wanted = entry.params.get("protection") or {}
    rules = exchange_rules(entry.symbol)
    average = entry.average_price or entry.price or entry.reference_price
    sign = Decimal(-1) if entry.side == "BUY" else Decimal(1)  # a long's stop is below, a short's above
    out: dict[str, Decimal] = {}
    for role, absolute, fraction, direction in (
        (OrderRole.STOP_LOSS, wanted.get("stop_loss"), wanted.get("stop_loss_fraction"), sign),
        (OrderRole.TAKE_PROFIT, wanted.get("take_profit"), wanted.get("take_profit_fraction"), -sign),
    ):
        if absolute is not None:
            raw = Decimal(absolute)
        elif fraction is not None and average:
            raw = average * (1 + direction * Decimal(fraction))
        else:
            continue
        out[role] = price_snap(raw, rules, side=exit_side)
    return out


def _market_price(symbol: str) -> Decimal | None:
    try:
        return price_latest(symbol)
    except Unprocessable:
        return None


def _crossed(role: str, exit_side: str, trigger: Decimal, market_price: Decimal) -> bool:
    """A sell stop fires at or below its trigger, a sell take-profit at or above; buys mirror."""
    fires_below = (role == OrderRole.STOP_LOSS) == (exit_side == "SELL")
    return market_price <= trigger if fires_below else market_price >= trigger


def _create_leg(
    entry: Order, role: str, trigger: Decimal, quantity: Decimal, exit_side: str, market: str, *, attempt: int,
    held: bool = False,
) -> Order:  # fmt: skip
    rules = exchange_rules(entry.symbol)
    order_type, limit = LEG_TYPES[market][role], None
    if held:
        return _held_leg(entry, role, trigger, quantity, exit_side, attempt=attempt)
    if order_type not in rules.order_types:
        # The symbol takes no market trigger (spot BTCUSDT lists only the *_LIMIT kinds): a
        # limit at the trigger, for a stop-loss slippage_tolerance_pct beyond it so it still fills.
        order_type = LIMIT_LEG_TYPES[order_type]
        tolerance = Decimal(entry.params.get("slippage_tolerance_pct", "0")) / 100
        beyond = -tolerance if exit_side == "SELL" else tolerance
        limit = price_snap(trigger * (1 + beyond) if role == OrderRole.STOP_LOSS else trigger, rules, side=exit_side)
    leg = Order.objects.create(
        signal=entry.signal,
        decision=entry.decision,
        client_order_id=client_order_id_for(signal_id=entry.signal_id, leg=f"{LEG_CODES[role]}{attempt}"),
        exchange=entry.exchange,
        symbol=entry.symbol,
        side=exit_side,
        position_side=entry.position_side,
        role=role,
        parent=entry,
        oco_group=entry.client_order_id,
        order_type=order_type,
        time_in_force="GTC" if limit is not None else "",
        quantity=quantity,
        price=limit,
        stop_price=trigger,
        reference_price=entry.average_price,
        reduce_only=True,
        leg_attempt=attempt,
        params={key: value for key, value in entry.params.items() if key != "protection"},
    )
    violation = order_violation(
        rules, side=exit_side, order_type=leg.order_type, quantity=quantity, price=limit, stop_price=trigger,
        reference_price=entry.average_price or trigger, reduce_only=True,
    )  # fmt: skip
    if violation is not None:
        # Refused before sending: it goes down the same retry/escalation path as an exchange refusal.
        order_transition(order=leg, to=S.REJECTED, reason=failure_code(violation), actor="execution",
                         data={"detail": violation.detail})  # fmt: skip
    return leg


def _held_leg(
    entry: Order, role: str, trigger: Decimal, quantity: Decimal, exit_side: str, *, attempt: int,
    released: bool = False,
) -> Order:  # fmt: skip
    """A leg we keep (status HELD) and send as a market order once the price crosses its
    trigger; ``released``: its trigger was already crossed (a retry), send it now."""
    return Order.objects.create(
        signal=entry.signal,
        decision=entry.decision,
        client_order_id=client_order_id_for(signal_id=entry.signal_id, leg=f"{LEG_CODES[role]}{attempt}"),
        exchange=entry.exchange,
        symbol=entry.symbol,
        side=exit_side,
        position_side=entry.position_side,
        role=role,
        parent=entry,
        oco_group=entry.client_order_id,
        order_type="MARKET",
        quantity=quantity,
        reference_price=entry.average_price,
        reduce_only=True,
        status=S.PENDING if released else S.HELD,
        conditional_price=trigger,
        # a sell take-profit fires on the way up, a sell stop on the way down; buys mirror
        conditional_direction="above" if (role == OrderRole.TAKE_PROFIT) == (exit_side == "SELL") else "below",
        leg_attempt=attempt,
        params={key: value for key, value in entry.params.items() if key != "protection"},
    )


def oco_release(*, leg: Order) -> FollowUp:
    """A held leg was released: its live siblings are cancelled before it is sent."""
    siblings = Order.objects.filter(oco_group=leg.oco_group, role__in=LEG_CODES, status__in=LIVE_ORDER_STATUSES)
    return FollowUp(cancel=list(siblings.exclude(pk=leg.pk).values_list("id", flat=True)))


def _close_order(entry: Order, quantity: Decimal, *, leg: str, reason: str) -> Order:
    """A reduce-only market order closing ``quantity`` of the entry's position side."""
    held = position_quantity(symbol=entry.symbol, side=entry.position_side)
    rules = exchange_rules(entry.symbol)
    quantity = quantity_snap(min(quantity, held) if held else quantity, rules, {}, market_order=True)
    order = Order.objects.create(
        signal=entry.signal,
        decision=entry.decision,
        client_order_id=client_order_id_for(signal_id=entry.signal_id, leg=leg),
        exchange=entry.exchange,
        symbol=entry.symbol,
        side="SELL" if entry.side == "BUY" else "BUY",
        position_side=entry.position_side,
        role=OrderRole.CLOSE,
        parent=entry,
        order_type="MARKET",
        quantity=quantity,
        reference_price=_market_price(entry.symbol),
        reduce_only=True,
        params={key: value for key, value in entry.params.items() if key != "protection"},
    )
    audit_record(
        kind="order.flatten", entity_type="order", entity_id=order.pk, actor="execution",
        correlation_id=entry.signal.correlation_id,
        data={"entry": entry.client_order_id, "quantity": quantity, "reason": reason},
    )  # fmt: skip
    return order


def oco_settle(*, leg_id: int) -> FollowUp:
    """A leg traded: cancel its siblings. Not-yet-sent ones here, live ones at the exchange."""
    with transaction.atomic():
        leg = Order.objects.select_for_update().select_related("signal").get(pk=leg_id)
        if leg.role not in LEG_CODES or not leg.executed_quantity or not leg.oco_group:
            return FollowUp()
        siblings = Order.objects.select_related("signal").filter(oco_group=leg.oco_group, role__in=LEG_CODES)
        follow = FollowUp()
        for sibling in siblings.exclude(pk=leg.pk).exclude(status__in=FINAL_ORDER_STATUSES):
            if sibling.status in NOT_YET_SENT:
                order_transition(order=sibling, to=S.CANCELED, reason="oco_sibling_filled", actor="execution",
                                 data={"filled_leg": leg.client_order_id})  # fmt: skip
            elif sibling.status in LIVE_ORDER_STATUSES:
                follow.cancel.append(sibling.pk)
    return follow


def protection_retry(*, leg_id: int) -> FollowUp:
    """A leg that never got onto the exchange: place it again, or escalate."""
    with transaction.atomic():
        leg = Order.objects.select_for_update(of=("self",)).select_related("signal", "parent").get(pk=leg_id)
        entry = leg.parent
        if leg.role not in LEG_CODES or entry is None or not _placement_failed(leg):
            return FollowUp()
        newer = Order.objects.filter(parent=entry, role=leg.role, leg_attempt__gt=leg.leg_attempt)
        if newer.exists() or entry.flags.filter(kind=PositionFlag.Kind.UNPROTECTED).exists():
            return FollowUp()  # already retried, or already escalated
        if _oco_done(leg) or position_quantity(symbol=leg.symbol, side=leg.position_side) <= 0:
            return FollowUp()  # nothing left to protect
        if leg.leg_attempt <= int(entry.params.get("max_retries", 0)):
            market = entry.params.get("market") or exchange_rules(entry.symbol).market
            if leg.stop_price is None and leg.conditional_price is not None:  # a held leg, already released
                retry = _held_leg(entry, leg.role, leg.conditional_price, leg.quantity, leg.side,
                                  attempt=leg.leg_attempt + 1, released=True)  # fmt: skip
            else:
                retry = _create_leg(entry, leg.role, leg.stop_price, leg.quantity, leg.side, market,
                                    attempt=leg.leg_attempt + 1)  # fmt: skip
            audit_record(
                kind="protective.retry", entity_type="order", entity_id=retry.pk, actor="execution",
                correlation_id=entry.signal.correlation_id,
                data={"failed": leg.client_order_id, "reason": leg.status_reason, "attempt": retry.leg_attempt},
            )  # fmt: skip
            if retry.status == S.PENDING:
                return FollowUp(submit=[retry.pk])
            return protection_retry(leg_id=retry.pk)  # refused before sending: fails again at once, bounded
        return _escalate(entry, leg)


def _placement_failed(leg: Order) -> bool:
    return leg.status == S.REJECTED or (leg.status == S.EXPIRED and leg.status_reason == "never_reached_exchange")


def _oco_done(leg: Order) -> bool:
    return Order.objects.filter(oco_group=leg.oco_group, role__in=LEG_CODES, executed_quantity__gt=0).exists()


def _escalate(entry: Order, leg: Order) -> FollowUp:
    flag = PositionFlag.objects.create(
        symbol=entry.symbol,
        position_side=entry.position_side,
        kind=PositionFlag.Kind.UNPROTECTED,
        order=entry,
        detail=f"{leg.role} leg refused {leg.leg_attempt} time(s): {leg.status_reason}"[:500],
    )
    flatten = settings.FLATTEN_UNPROTECTED_POSITIONS
    alert = {
        "symbol": entry.symbol,
        "position_side": entry.position_side,
        "entry": entry.client_order_id,
        "leg": leg.role,
        "attempts": leg.leg_attempt,
        "reason": leg.status_reason,
        "flag_id": flag.pk,
        "flatten": flatten,
    }
    audit_record(
        kind="alert.protective_failed", entity_type="position", entity_id=f"{entry.symbol}:{entry.position_side}",
        actor="execution", correlation_id=entry.signal.correlation_id, data=alert,
    )  # fmt: skip
    broadcast_on_commit("alert", {"kind": "protective_failed", **alert})
    if not flatten:
        return FollowUp()
    follow = FollowUp()
    for survivor in Order.objects.select_related("signal").filter(oco_group=leg.oco_group, role__in=LEG_CODES):
        if survivor.status in NOT_YET_SENT:
            order_transition(order=survivor, to=S.CANCELED, reason="flatten_unprotected", actor="execution")
        elif survivor.status in LIVE_ORDER_STATUSES:
            follow.cancel.append(survivor.pk)
    follow.submit.append(_close_order(entry, leg.quantity, leg="x", reason="protective_failed").pk)
    return follow


def flags_resolve_if_flat(*, symbol: str, position_side: str, actor: str) -> int:
    """A closed position has nothing left to protect: its open flags are resolved."""
    if position_quantity(symbol=symbol, side=position_side) > 0:
        return 0
    with transaction.atomic():
        flags = PositionFlag.objects.select_for_update().filter(
            symbol=symbol, position_side=position_side, resolved_at__isnull=True
        )
        count = 0
        for flag in flags:
            PositionFlag.objects.filter(pk=flag.pk).update(resolved_at=timezone.now(), resolved_by=actor)
            audit_record(kind="position_flag.resolved", entity_type="position_flag", entity_id=flag.pk,
                         actor=actor, data={"reason": "position_closed"})  # fmt: skip
            count += 1
    return count
