"""position_size_pct and review_max_price_drift_pct were fractions (0.02 = 2 %);
every *_pct config parameter is now a percent on a 0-100 scale (2 = 2 %).
Stored values are multiplied by 100 so every saved config keeps its meaning.
max_signal_age_seconds now stops at 3600; longer stored values are capped."""

from __future__ import annotations

from decimal import Decimal

from django.db import migrations

WERE_FRACTIONS = ("position_size_pct", "review_max_price_drift_pct")


def _convert(parameters: dict, factor: Decimal) -> bool:
    changed = False
    for name in WERE_FRACTIONS:
        if parameters.get(name) is not None:
            parameters[name] = format((Decimal(str(parameters[name])) * factor).normalize(), "f")
            changed = True
    if factor > 1 and parameters.get("max_signal_age_seconds") is not None:
        if int(Decimal(str(parameters["max_signal_age_seconds"]))) > 3600:
            parameters["max_signal_age_seconds"] = 3600
            changed = True
    return changed


def forward(apps, schema_editor) -> None:
    TradingConfig = apps.get_model("configs_app", "TradingConfig")
    for row in TradingConfig.objects.all():
        if _convert(row.parameters, Decimal(100)):
            row.save(update_fields=["parameters"])


def backward(apps, schema_editor) -> None:
    TradingConfig = apps.get_model("configs_app", "TradingConfig")
    for row in TradingConfig.objects.all():
        if _convert(row.parameters, Decimal("0.01")):
            row.save(update_fields=["parameters"])


class Migration(migrations.Migration):
    dependencies = [("configs_app", "0002_config_versions")]

    operations = [migrations.RunPython(forward, backward)]
