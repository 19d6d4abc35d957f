"""A signal sent without order_type / time_in_force is shown with "" (the trading
config's default applies), and the published schema must admit that value:
schemathesis found the response violating the schema when it did not."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.mark.parametrize("field", ["order_type", "time_in_force"])
def test_the_output_schema_admits_blank(field: str) -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    prop = schema["components"]["schemas"]["SignalOutput"]["properties"][field]
    refs = {option.get("$ref", "") for option in prop.get("oneOf", [])}
    assert "#/components/schemas/BlankEnum" in refs, prop
    assert schema["components"]["schemas"]["BlankEnum"]["enum"] == [""]
