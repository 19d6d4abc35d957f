"""Seed payloads rewritten into the native signal payload.

Strategies written against the earlier Petrosa engines (seed documents 000,
001 and 002) POST to ``/trade`` and ``/trade/signal``. The functions here are
pure: a seed body in, the native body that ``SignalInputSerializer`` validates
out, plus a note of which native field came from which client field so that
errors name the field the client actually sent.

Invariants:
- A market order never carries a limit price: a seed ``price`` on a market
  order is the reference price and is stored as ``current_price``.
- ``meta`` is kept as the client sent it; the keys lifted out of it are
  copied, not moved. Only ``meta["intake"]`` is ours.
- ``meta.simulate`` never changes how a trade is executed. ``false`` while
  trading on paper is recorded and answered with ``simulated: true``;
  ``true`` while trading for real is refused, because this build cannot
  simulate one signal on a live deployment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rest_framework.exceptions import ValidationError

from petrosa.core.errors import Unprocessable
from signals_app.models import OrderType
from signals_app.serializers import LIMIT_TYPES

PAPER = "paper"
# Seed 002 put indicators/rationale in meta, seed 001 the order fields; both
# are versions of one engine, so both endpoints lift the same keys.
META_LIFTS = ("indicators", "rationale", "order_type", "stop_loss", "take_profit", "time_in_force")
JSON_OBJECT_FIELDS = ("meta", "indicators", "model_features", "llm_alternatives")
FRACTION_FIELDS = ("position_size_pct", "stop_loss_pct", "take_profit_pct")


@dataclass(frozen=True)
class SeedTranslation:
    data: dict[str, Any]  # the native payload, for SignalInputSerializer
    field_origins: dict[str, str] = field(default_factory=dict)  # native field -> field as the client sent it
    simulated: bool = True  # this deployment only simulates trades (PETROSA_TRADING_MODE=paper)
    notice: str = ""  # said back to the client, e.g. that simulate=false was ignored


def trade_payload_translate(payload: Any, *, trading_mode: str) -> SeedTranslation:
    """``POST /trade``: seed 002 ``{price, meta: {simulate, indicators, rationale}}``
    or the seed 000 "advanced" shape, which is the native shape."""
    return seed_payload_translate(payload, endpoint="/trade", trading_mode=trading_mode)


def trade_signal_payload_translate(payload: Any, *, trading_mode: str) -> SeedTranslation:
    """``POST /trade/signal``: seed 001 ``{price, quantity, meta: {order_type,
    stop_loss, take_profit, time_in_force}}``; ``quantity: 0`` means the
    exchange minimum and passes through unchanged."""
    return seed_payload_translate(payload, endpoint="/trade/signal", trading_mode=trading_mode)


def seed_payload_translate(payload: Any, *, endpoint: str, trading_mode: str) -> SeedTranslation:
    if not isinstance(payload, dict):
        raise ValidationError({"non_field_errors": ["Send a JSON object."]})
    meta = payload.get("meta")
    if meta is not None and not isinstance(meta, dict):
        raise ValidationError({"meta": ['Expected an object, e.g. {"simulate": true}.']})
    meta = dict(meta or {})
    data = {name: _json_safe(value) if name in JSON_OBJECT_FIELDS else value for name, value in payload.items()}
    errors: dict[str, list[str]] = {}
    origins = _lift_from_meta(data, meta, errors)
    _normalize_choices(data)
    _check_fractions(data, origins, errors)
    intake: dict[str, Any] = {"endpoint": endpoint, "trading_mode": trading_mode}
    origins.update(_place_prices(data, intake, errors))
    simulated, notice = _simulation(meta, trading_mode, errors)
    if errors:
        raise ValidationError(errors)
    intake["simulated"] = simulated
    if notice:
        intake["simulate_ignored"] = True
    data["meta"] = {**_json_safe(meta), "intake": intake}
    return SeedTranslation(data=data, field_origins=origins, simulated=simulated, notice=notice)


def _lift_from_meta(data: dict[str, Any], meta: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, str]:
    origins: dict[str, str] = {}
    for name in META_LIFTS:
        if meta.get(name) is None:
            continue
        if data.get(name) is not None and _json_safe(data[name]) != _json_safe(meta[name]):
            errors[f"meta.{name}"] = [f"Also sent at the top level as {name} with another value; send it once."]
            continue
        data[name] = _json_safe(meta[name]) if name in JSON_OBJECT_FIELDS else meta[name]
        origins[name] = f"meta.{name}"
    return origins


def _normalize_choices(data: dict[str, Any]) -> None:
    """Accept the spellings the seed engines and Binance use: BUY, stop-limit, gtc."""
    if isinstance(data.get("action"), str):
        data["action"] = data["action"].strip().lower()
    if isinstance(data.get("order_type"), str):
        data["order_type"] = data["order_type"].strip().lower().replace("-", "_")
    if isinstance(data.get("time_in_force"), str):
        data["time_in_force"] = data["time_in_force"].strip().upper()


def _check_fractions(data: dict[str, Any], origins: dict[str, str], errors: dict[str, list[str]]) -> None:
    """Seed 001 wrote some *_pct fields as percents (2.0 for 2 %); here they are
    fractions of 1, and a percent is refused with the fix rather than guessed."""
    for name in FRACTION_FIELDS:
        value = data.get(name)
        if isinstance(value, (int, Decimal, float)) and not isinstance(value, bool) and 1 < value <= 100:
            example = format(Decimal(str(value)) / 100, "f")
            errors[origins.get(name, name)] = [f"A fraction of 1, not a percent: send {example} for {value} %."]


def _place_prices(data: dict[str, Any], intake: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, str]:
    """Put the seed's prices where the native contract expects them; returns origins."""
    origins: dict[str, str] = {}
    target = data.pop("target_price", None)  # seed 000's Signal: the price to execute at
    order_type = data.get("order_type") or OrderType.MARKET
    if not isinstance(order_type, str):
        return origins  # the serializer names the bad order_type
    if order_type == OrderType.MARKET:
        reference = data.pop("price", None)
        if reference is None:
            return origins
        if data.get("current_price") is None:
            data["current_price"] = reference
            origins["current_price"] = "price"
        elif _is_positive_number(reference):
            intake["reference_price"] = str(reference)  # both sent: current_price wins; price is kept here
        else:
            errors["price"] = ["A price greater than zero is required."]
        return origins
    if order_type in LIMIT_TYPES and data.get("price") is None:
        # Seed 000 sends limit orders with only current_price: the limit is the current price.
        source = "target_price" if target is not None else "current_price"
        limit = target if target is not None else data.get("current_price")
        if limit is not None:
            data["price"] = limit
            origins["price"] = source
    return origins


def _simulation(meta: dict[str, Any], trading_mode: str, errors: dict[str, list[str]]) -> tuple[bool, str]:
    requested = meta.get("simulate")
    simulated = trading_mode == PAPER
    if requested is not None and not isinstance(requested, bool):
        errors["meta.simulate"] = ["Must be true or false."]
        return simulated, ""
    if requested is True and not simulated:
        raise Unprocessable(
            f"meta.simulate is true, but this deployment trades in {trading_mode} mode and cannot simulate "
            "a single signal; send it to a paper deployment.",
            code="simulation_unavailable",
            fields={"meta.simulate": [f"Not available while PETROSA_TRADING_MODE={trading_mode}."]},
        )
    if requested is False and simulated:
        return simulated, "meta.simulate=false was ignored: PETROSA_TRADING_MODE=paper, so this trade is simulated."
    return simulated, ""


def _is_positive_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        return False
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return False
    return number.is_finite() and number > 0


def _json_safe(value: Any) -> Any:
    """Free-form JSON with Decimals (our parser's floats) as floats, which the
    JSON columns can store; exact decimals matter only in typed fields."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    return value
