"""Built-in strategies in the admin: add one, edit its parameters (one field
per parameter of its kind, with the kind's bounds), activate or deactivate it,
and watch its per-symbol state. Every change goes through the services, which
audit it with the operator's name."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from petrosa.core.admin import ReadOnlyModelAdmin
from petrosa.core.errors import Conflict, InvalidInput
from signals_app.engine.base import ParameterSpec, StrategyKind
from signals_app.engine.models import BuiltinStrategy, BuiltinStrategyState
from signals_app.engine.registry import shipped_registry
from signals_app.engine.services import builtin_config_check, builtin_strategy_configure, builtin_strategy_create
from signals_app.models import Strategy
from signals_app.services.modes import TIMEFRAMES
from signals_app.services.strategy_admin import strategy_activate, strategy_deactivate

PARAM_PREFIX = "param_"
FORM_FIELDS_FOR_SERVICE_ERRORS = {"symbols": "symbols_text", "timeframe": "timeframe", "parameters": None}


def _parameter_field(spec: ParameterSpec, initial: Any) -> forms.Field:
    common = {"label": spec.name, "help_text": f"{spec.description} Default {spec.default}.", "initial": initial}
    if spec.type is int:
        return forms.IntegerField(min_value=int(spec.minimum), max_value=int(spec.maximum), **common)
    return forms.DecimalField(min_value=Decimal(spec.minimum), max_value=Decimal(spec.maximum), **common)


class _BuiltinForm(forms.ModelForm):
    symbols_text = forms.CharField(label="Symbols", help_text="Comma-separated, e.g. BTCUSDT, ETHUSDT")
    timeframe = forms.ChoiceField(choices=[(t, t) for t in TIMEFRAMES], initial="1m")
    strategy_kind: StrategyKind | None = None

    class Meta:
        model = BuiltinStrategy
        fields = ["timeframe"]

    def symbols(self) -> list[str]:
        return [s for s in self.cleaned_data.get("symbols_text", "").replace(" ", "").split(",") if s]

    def parameter_values(self) -> dict[str, Any]:
        return {name[len(PARAM_PREFIX) :]: value for name, value in self.cleaned_data.items()
                if name.startswith(PARAM_PREFIX) and value is not None}  # fmt: skip

    def kind_name(self) -> str:
        return self.instance.kind

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            builtin_config_check(kind=self.kind_name(), symbols=self.symbols(), parameters=self.parameter_values(),
                                 timeframe=cleaned.get("timeframe", ""), registry=None)  # fmt: skip
        except InvalidInput as exc:
            for key, problems in exc.fields.items():
                for problem in problems:
                    self.add_error(FORM_FIELDS_FOR_SERVICE_ERRORS.get(key), problem)
        return cleaned


class BuiltinStrategyAddForm(_BuiltinForm):
    """A new built-in strategy starts from its kind's shipped defaults; edit them after saving."""

    name = forms.SlugField(max_length=64, help_text="Its Strategy name (the strategy_id on its signals)")
    description = forms.CharField(max_length=255, required=False)
    kind = forms.ChoiceField(choices=shipped_registry().choices())
    weight = forms.DecimalField(min_value=Decimal("0.0001"), max_value=Decimal("10"), initial=Decimal("1"))

    class Meta(_BuiltinForm.Meta):
        fields = ["kind", "timeframe"]

    def kind_name(self) -> str:
        return self.cleaned_data.get("kind", "")

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if Strategy.objects.filter(name=name).exists():
            raise forms.ValidationError("A strategy with this name exists.")
        return name


def change_form_for(builtin: BuiltinStrategy) -> type[_BuiltinForm]:
    """The edit form of one built-in strategy: a field per parameter of its kind."""
    kind = shipped_registry().get(builtin.kind)
    current = {**kind.defaults(), **builtin.parameters}
    fields: dict[str, Any] = {
        f"{PARAM_PREFIX}{spec.name}": _parameter_field(spec, current.get(spec.name)) for spec in kind.parameters
    }
    fields["reason"] = forms.CharField(required=False, max_length=500, help_text="Kept in the audit trail")
    return type("BuiltinStrategyChangeForm", (_BuiltinForm,), fields)


@admin.register(BuiltinStrategy)
class BuiltinStrategyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "symbol_list", "is_active", "weight", "parameter_summary", "updated_at")
    list_select_related = ("strategy",)
    list_filter = ("kind", "strategy__is_active")
    search_fields = ("strategy__name",)
    actions = ["activate", "deactivate"]

    def get_readonly_fields(self, request: HttpRequest, obj: BuiltinStrategy | None = None) -> tuple[str, ...]:
        return ("name", "kind", "is_active", "weight", "state_table") if obj else ()

    def get_form(self, request: HttpRequest, obj: BuiltinStrategy | None = None, change: bool = False,
                 **kwargs: Any) -> type[forms.ModelForm]:  # fmt: skip
        kwargs["form"] = change_form_for(obj) if obj else BuiltinStrategyAddForm
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            form.base_fields["symbols_text"].initial = ", ".join(obj.symbols)
        return form

    def save_model(self, request: HttpRequest, obj: BuiltinStrategy, form: Any, change: bool) -> None:
        actor = f"user:{request.user.get_username()}"
        data = form.cleaned_data
        if change:
            builtin_strategy_configure(
                builtin_id=obj.pk, symbols=form.symbols(), parameters=form.parameter_values(),
                timeframe=data["timeframe"], actor=actor, reason=data.get("reason", ""),
            )  # fmt: skip
            return
        saved = builtin_strategy_create(
            name=data["name"], kind=data["kind"], symbols=form.symbols(), timeframe=data["timeframe"],
            description=data.get("description", ""), weight=data["weight"], actor=actor,
        )  # fmt: skip
        obj.pk, obj.strategy, obj.symbols, obj.parameters = saved.pk, saved.strategy, saved.symbols, saved.parameters

    @admin.display(description="name", ordering="strategy__name")
    def name(self, obj: BuiltinStrategy) -> str:
        return obj.strategy.name

    @admin.display(description="active", boolean=True, ordering="strategy__is_active")
    def is_active(self, obj: BuiltinStrategy) -> bool:
        return obj.strategy.is_active

    @admin.display(description="weight", ordering="strategy__weight")
    def weight(self, obj: BuiltinStrategy) -> Decimal:
        return obj.strategy.weight

    @admin.display(description="symbols")
    def symbol_list(self, obj: BuiltinStrategy) -> str:
        return ", ".join(obj.symbols)

    @admin.display(description="parameters")
    def parameter_summary(self, obj: BuiltinStrategy) -> str:
        return ", ".join(f"{name}={value}" for name, value in obj.parameters.items())

    @admin.display(description="state per symbol")
    def state_table(self, obj: BuiltinStrategy) -> str:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} {}</td></tr>",
            (
                (s.symbol, s.last_event_at or "-", ", ".join(f"{k}={v}" for k, v in s.indicators.items()) or "-",
                 s.last_signal_action or "-", s.last_signal_at or "")
                for s in obj.states.order_by("symbol")
            ),
        )  # fmt: skip
        return format_html(
            "<table><tr><th>symbol</th><th>last tick</th><th>indicators</th><th>last signal</th></tr>{}</table>", rows
        )

    @admin.action(description="Activate selected strategies", permissions=["change"])
    def activate(self, request: HttpRequest, queryset: QuerySet[BuiltinStrategy]) -> None:
        self._set_active(request, queryset, active=True)

    @admin.action(description="Deactivate selected strategies (they stop sending signals next tick)",
                  permissions=["change"])  # fmt: skip
    def deactivate(self, request: HttpRequest, queryset: QuerySet[BuiltinStrategy]) -> None:
        self._set_active(request, queryset, active=False)

    def _set_active(self, request: HttpRequest, queryset: QuerySet[BuiltinStrategy], *, active: bool) -> None:
        change = strategy_activate if active else strategy_deactivate
        actor = f"user:{request.user.get_username()}"
        for builtin in queryset.select_related("strategy"):
            try:
                change(name=builtin.strategy.name, reason="admin action", actor=actor)
            except Conflict as exc:
                self.message_user(request, exc.message, messages.INFO)
            else:
                self.message_user(request, f"{builtin.strategy.name}: {'activated' if active else 'deactivated'}")


@admin.register(BuiltinStrategyState)
class BuiltinStrategyStateAdmin(ReadOnlyModelAdmin):
    """What each built-in strategy remembers per symbol; written only by ticks."""

    list_display = ("builtin", "symbol", "last_event_at", "last_signal_action", "last_signal_at", "indicators")
    list_filter = ("builtin", "last_signal_action")
    list_select_related = ("builtin__strategy",)
    search_fields = ("symbol", "builtin__strategy__name")
