"""The parameter table of the README, generated from the schema so the two
cannot drift apart (a test compares them)."""

from __future__ import annotations

import json
from typing import Any

from configs_app.schema import CATEGORIES, PARAMETERS

TABLE_START = "<!-- trading-parameters:start (generated: manage.py config_parameters_markdown) -->"
TABLE_END = "<!-- trading-parameters:end -->"


def parameters_markdown() -> str:
    """One row per parameter, grouped by category, between the README markers."""
    lines = [
        TABLE_START,
        "",
        "| parameter | category | type (unit) | default | valid values | what it does |",
        "|---|---|---|---|---|---|",
    ]
    order = list(CATEGORIES)
    for parameter in sorted(PARAMETERS.values(), key=lambda p: (order.index(p.category), not p.seed)):
        kind = f"{parameter.type} ({parameter.unit})" if parameter.unit else parameter.type
        if parameter.choices:
            valid = ", ".join(f"`{choice}`" for choice in parameter.choices)
        elif parameter.minimum is not None:
            valid = f"{parameter.to_json(parameter.minimum)} – {parameter.to_json(parameter.maximum)}"
        else:
            valid = parameter.expects()
        if parameter.nullable:
            valid += "; empty = exchange value"
        name = f"`{parameter.name}`" + ("" if parameter.seed else " *")
        row = [
            name,
            CATEGORIES[parameter.category],
            kind,
            _code(parameter.to_json(parameter.default)),
            valid,
            parameter.description,
        ]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    lines += [
        "",
        "\\* added to seed 004's 31 parameters for conflict handling, review and the risk gate.",
        "",
        TABLE_END,
    ]
    return "\n".join(lines)


def _code(value: Any) -> str:
    return f"`{json.dumps(value)}`"
