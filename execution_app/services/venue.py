"""The exchange an order goes to, and the request we send it.

Every exchange call in the execution services goes through ``venue()``, so a
test can put a fault-injecting wrapper around the paper exchange in one place.
"""

from __future__ import annotations

from django.conf import settings

from execution_app.exchange import exchange_for_mode
from execution_app.exchange.base import ExchangeAdapter, OrderRequest
from execution_app.models import Order


def venue() -> ExchangeAdapter:
    return exchange_for_mode()


def venue_name() -> str:
    """The exchange an order created now goes to, as Order.exchange and Fill.exchange
    record it: the name of the adapter venue() hands out ("paper", "binance_usdm",
    "binance_spot"), read off its class so no adapter (or client) is built for it."""
    if settings.TRADING_MODE == "paper":
        from execution_app.exchange.paper import PaperExchange

        return PaperExchange.name
    # The same choice as execution_app.exchange.binance.factory: futures for usdm, spot otherwise.
    from execution_app.exchange.binance import BinanceFuturesExchange, BinanceSpotExchange

    return (BinanceFuturesExchange if settings.EXCHANGE_MARKET == "usdm" else BinanceSpotExchange).name


def hedge_mode(order: Order) -> bool:
    return order.params.get("position_mode") == "hedge"


def order_request(order: Order) -> OrderRequest:
    """The order as the exchange should see it. In hedge mode the position side
    does the reducing (Binance refuses reduceOnly there); in one-way mode the
    adapter sends BOTH, and reduce-only orders say so."""
    hedge = hedge_mode(order)
    return OrderRequest(
        client_order_id=order.client_order_id,
        symbol=order.symbol,
        side=order.side,
        order_type=order.order_type,
        quantity=order.quantity,
        price=order.price,
        time_in_force=order.time_in_force,
        reduce_only=order.reduce_only and not hedge,
        position_side=order.position_side if hedge else "",
        stop_price=order.stop_price,
        close_position=order.close_position,
    )
