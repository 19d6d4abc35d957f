"""Admin forms for trading configuration: one field per schema parameter.

A blank field means "not set at this scope": the value is inherited from the
scope above (or the default). Values are checked by configs_app.schema, so
the admin shows exactly the API's messages, inline, next to the field.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms

from configs_app.models import Side
from configs_app.parameter_types import Parameter
from configs_app.schema import CATEGORIES, PARAMETERS, parameters_clean
from configs_app.services import ScopeRef, config_scope
from petrosa.core.errors import InvalidInput


def parameter_help(parameter: Parameter) -> str:
    default = parameter.to_json(parameter.default)
    parts = [parameter.description, f"Expects {parameter.expects()}.", f"Default: {json.dumps(default)}."]
    parts.append("Blank: inherit from the scope above.")
    return " ".join(parts)


def parameter_field(parameter: Parameter) -> forms.Field:
    """A form field for one parameter. Every field is optional (blank = inherit)."""
    common: dict[str, Any] = {"required": False, "help_text": parameter_help(parameter), "label": parameter.name}
    if parameter.type == "boolean":
        choices = [("", "— inherit —"), ("true", "Yes"), ("false", "No")]
        return forms.ChoiceField(choices=choices, **common)
    if parameter.type == "choice":
        return forms.ChoiceField(choices=[("", "— inherit —"), *[(c, c) for c in parameter.choices]], **common)
    if parameter.type == "weights":
        widget = forms.Textarea(attrs={"rows": 2, "cols": 60, "placeholder": '{"momentum_v1": 1.2}'})
        return forms.CharField(widget=widget, **common)
    if parameter.type == "symbols":
        return forms.CharField(widget=forms.TextInput(attrs={"size": 60, "placeholder": "BTCUSDT, ETHUSDT"}), **common)
    if parameter.type == "windows":
        widget = forms.Textarea(attrs={"rows": 2, "cols": 40, "placeholder": "mon-fri 08:00-17:00 (one per line)"})
        return forms.CharField(widget=widget, **common)
    placeholder = (
        f"{parameter.to_json(parameter.default)} ({parameter.valid().get('min')}–{parameter.valid().get('max')})"
    )
    return forms.CharField(widget=forms.TextInput(attrs={"placeholder": placeholder, "size": 20}), **common)


def stored_to_text(parameter: Parameter, value: Any) -> str:
    """How a stored value is shown in its field."""
    if value is None:
        return ""
    if parameter.type == "boolean":
        return "true" if value else "false"
    if parameter.type == "weights":
        return json.dumps(value)
    if parameter.type == "symbols":
        return ", ".join(value)
    if parameter.type == "windows":
        return "\n".join(value)
    return str(value)


def text_to_raw(parameter: Parameter, text: str) -> Any:
    """A field's text as the API would receive it; ValueError when it cannot be read."""
    if parameter.type == "boolean":
        return text == "true"
    if parameter.type == "weights":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f'{parameter.name} must be a JSON object like {{"momentum_v1": 1.2}}: {exc}') from None
    if parameter.type == "symbols":
        return [part for part in (item.strip() for item in text.replace("\n", ",").split(",")) if part]
    if parameter.type == "windows":
        return [line.strip() for line in text.splitlines() if line.strip()]
    return text.strip()


class TradingConfigForm(forms.Form):
    """Every parameter of one scope. For a new scope, symbol and side choose it."""

    def __init__(self, *args: Any, ref: ScopeRef | None, stored: dict[str, Any] | None = None, **kwargs: Any) -> None:
        initial = {
            name: stored_to_text(PARAMETERS[name], value)
            for name, value in (stored or {}).items()
            if name in PARAMETERS
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.ref = ref
        if ref is None:
            self.fields["symbol"] = forms.CharField(
                required=False, max_length=20, help_text="Blank: the global scope. E.g. BTCUSDT."
            )
            self.fields["side"] = forms.ChoiceField(
                required=False,
                choices=[("", "— both sides —"), *Side.choices],
                help_text="LONG or SHORT for a symbol-side scope.",
            )
        for name, parameter in PARAMETERS.items():
            self.fields[name] = parameter_field(parameter)
        self.fields["reason"] = forms.CharField(
            required=False,
            widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
            help_text="Why you change it. Required to save; recorded in the history and the audit trail.",
        )
        self.parameters: dict[str, Any] = {}

    def categories(self) -> list[tuple[str, list[forms.BoundField]]]:
        grouped: dict[str, list[forms.BoundField]] = {key: [] for key in CATEGORIES}
        for name, parameter in PARAMETERS.items():
            grouped[parameter.category].append(self[name])
        return [(CATEGORIES[key], fields) for key, fields in grouped.items() if fields]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.ref is None:
            try:
                self.ref = config_scope(symbol=cleaned.get("symbol", ""), side=cleaned.get("side", ""))
            except InvalidInput as exc:
                for name, messages in exc.fields.items():
                    self.add_error(name if name in self.fields else None, messages)
        raw: dict[str, Any] = {}
        for name, parameter in PARAMETERS.items():
            text = cleaned.get(name) or ""
            if not text.strip():
                continue
            try:
                raw[name] = text_to_raw(parameter, text)
            except ValueError as exc:
                self.add_error(name, str(exc))
        values, errors = parameters_clean(raw)
        for name, problems in errors.items():
            self.add_error(name, [problem["message"] for problem in problems])
        self.parameters = {name: PARAMETERS[name].to_json(value) for name, value in values.items()}
        return cleaned


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Required; recorded in the history and the audit trail.",
    )
