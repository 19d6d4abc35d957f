"""API plumbing shared by every app: a JSON parser that keeps numbers exact."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class DecimalJSONParser(JSONParser):
    """Parse JSON numbers with a fraction as Decimal, never float, so a price
    like 0.1 or a quantity with 18 digits arrives exactly as it was sent."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        raw = stream.read() if stream is not None else b""
        if not raw:
            raise ParseError("Request body is empty; send a JSON object.")
        try:
            return json.loads(raw, parse_float=Decimal, parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"Malformed JSON: {exc}") from exc


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid JSON number")


HTML_PREFIXES = ("/admin/", "/dashboard/")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: a path no route matches (/api/v1/orders/-1, /api/v1/orders/abc) gets the API's
    JSON error envelope, as the OpenAPI schema promises for 404; the admin and dashboard keep the HTML page."""
    if request.path.startswith(HTML_PREFIXES):
        return defaults.page_not_found(request, exception)  # type: ignore[arg-type]
    from petrosa.core.errors import error_body

    return JsonResponse(error_body("not_found", "No such path; the API is described at /api/docs/."), status=404)


def query_int(params: Any, name: str, *, default: int, minimum: int = 1, maximum: int = 500) -> int:
    """An integer query parameter, or a 400 naming it."""
    from petrosa.core.errors import InvalidInput

    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise InvalidInput(f"{name} must be a whole number.", fields={name: ["Must be a whole number."]}) from None
    if not minimum <= value <= maximum:
        raise InvalidInput(
            f"{name} must be between {minimum} and {maximum}.", fields={name: [f"Between {minimum} and {maximum}."]}
        )
    return value


class ExactDecimalField(serializers.DecimalField):
    """A Decimal rendered as a string without the database's trailing zeros:
    "65000" rather than "65000.000000000000". Never a float."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("normalize_output", True)
        super().__init__(*args, **kwargs)

    def to_representation(self, value: Any) -> Any:
        text = super().to_representation(value)
        return format(Decimal(text), "f") if isinstance(text, str) else text


class PrebuiltFieldsMixin:
    """Build a serializer's fields once per class instead of once per instance.

    DRF deep-copies every declared field (and a ModelSerializer re-derives its
    fields from the model) each time a serializer is created; for the 35-field
    signal contract that was about a third of the intake's time per request.
    Sharing is safe only for serializers whose fields keep no per-request state:
    no context (request, view), no HiddenField / CurrentUserDefault, no nested
    writable serializers. The fields are bound to a blank instance, never to a
    request's, so one request's data can't leak into another's.
    """

    @property
    def fields(self) -> Any:
        prebuilt = type(self).__dict__.get("_prebuilt_fields")
        if prebuilt is None:
            blank = type(self)()
            prebuilt = super(PrebuiltFieldsMixin, blank).fields  # type: ignore[misc]
            type(self)._prebuilt_fields = prebuilt
        return prebuilt


class ExactModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping, models.DecimalField: ExactDecimalField}


class RoundedDecimalField(serializers.DecimalField):
    """Rounds extra decimal places (half-even) instead of refusing them: for
    ratios such as confidence, where 0.7833333333 from a float means 0.78333."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("rounding", "ROUND_HALF_EVEN")
        kwargs.setdefault("max_digits", None)
        super().__init__(*args, **kwargs)

    def validate_precision(self, value: Decimal) -> Decimal:
        return value  # quantize() rounds to decimal_places right after

    def quantize(self, value: Decimal) -> Decimal:
        try:
            return super().quantize(value)
        except InvalidOperation:
            # 1e30 rounded to 5 places needs more digits than the decimal context has: a 500 before the
            # range check ran. A number that large is outside any range this field takes: say so, as a 400.
            if self.min_value is not None and value < self.min_value:
                self.fail("min_value", min_value=self.min_value)
            if self.max_value is not None:
                self.fail("max_value", max_value=self.max_value)
            self.fail("invalid")
            raise


def json_plain(value: Any) -> Any:
    """Free-form JSON (meta, indicators, features) with its numbers as JSON numbers.
    The parser reads every fraction as Decimal to keep prices exact; in free-form
    data a number is just a number, and the database's JSON column wants it plain."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and "." not in str(value) else float(value)
    if isinstance(value, dict):
        return {key: json_plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_plain(item) for item in value]
    return value
