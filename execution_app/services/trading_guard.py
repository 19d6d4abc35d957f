"""What testnet and live check before an order leaves for Binance.

A hook of the Binance adapters (run inside ``place_order``, before the
request is sent). It refuses, by raising ExchangeRejected (so nothing is
sent and the order is recorded as rejected with the reason), when:

* there are no credentials (``no_credentials``; settings already refuse to
  start without them, this covers a process whose environment lost them);
* the audit trail cannot be written (``audit_unavailable``): the send is
  itself recorded first, and a failure there stops it;
* reconciliation has not run since this process started, failed, or left
  differences open (``reconciliation_failed``/``reconciliation_unresolved``).
  Reduce-only orders and position closes still go out: cutting risk is never
  blocked, as with the kill switch.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError, transaction

from execution_app.exchange.base import ExchangeRejected, OrderRequest
from execution_app.services.reconciliation import ReconcilableExchange, reconciliation_clear_to_trade
from petrosa.core.audit import audit_record
from petrosa.core.money import decimal_str

logger = logging.getLogger(__name__)


def trading_guard_check(exchange: ReconcilableExchange, request: OrderRequest) -> None:
    if not (settings.BINANCE_API_KEY and settings.BINANCE_API_SECRET):
        raise ExchangeRejected(code=0, message="No Binance API credentials are configured.", reason="no_credentials")
    try:
        with transaction.atomic():
            audit_record(
                kind="exchange.order_sending",
                entity_type="order",
                entity_id=request.client_order_id,
                actor=exchange.name,
                data={"mode": settings.TRADING_MODE, "symbol": request.symbol, "side": request.side,
                      "type": request.order_type, "quantity": decimal_str(request.quantity),
                      "reduce_only": request.reduce_only or request.close_position},
            )  # fmt: skip
    except DatabaseError as exc:
        logger.error("audit write failed; refusing to send %s: %s", request.client_order_id, exc)
        raise ExchangeRejected(
            code=0, message=f"The audit trail cannot be written: {exc}", reason="audit_unavailable"
        ) from exc
    if request.reduce_only or request.close_position:
        return
    reconciliation_clear_to_trade(exchange=exchange)
