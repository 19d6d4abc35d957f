"""The README's parameter table is the one generated from the schema, so it
lists every parameter with its current default and bounds."""

from __future__ import annotations

from pathlib import Path

from configs_app.docs import TABLE_END, TABLE_START, parameters_markdown
from configs_app.schema import PARAMETERS

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_table_is_the_generated_one() -> None:
    text = README.read_text()
    start, end = text.index(TABLE_START), text.index(TABLE_END) + len(TABLE_END)
    assert text[start:end] == parameters_markdown(), "run: manage.py config_parameters_markdown"


def test_the_readme_table_has_a_row_per_parameter_and_states_the_units() -> None:
    text = README.read_text()
    table = text[text.index(TABLE_START) : text.index(TABLE_END)]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert sorted(row.split("`")[1] for row in rows) == sorted(PARAMETERS)
    assert "percent on a\n0–100 scale" in text
    for path in (
        "/api/v1/config/trading/schema",
        "/api/v1/config/trading/rollback",
        "/api/v1/config/validate",
        "/api/v1/config/trading/history",
        "user_token_create",
    ):
        assert path in text
