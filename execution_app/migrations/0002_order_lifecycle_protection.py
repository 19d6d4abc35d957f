import django.db.models.deletion
from django.db import migrations, models


def fills_take_symbol_and_exchange(apps, schema_editor):
    """Copy each fill's order symbol and exchange, so a trade id is unique per exchange and symbol."""
    Fill = apps.get_model("execution_app", "Fill")
    for fill in Fill.objects.select_related("order").iterator():
        Fill.objects.filter(pk=fill.pk).update(symbol=fill.order.symbol, exchange=fill.order.exchange)


class Migration(migrations.Migration):

    dependencies = [
        ("execution_app", "0001_initial"),
        ("risk_app", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="order",
            name="status",
            field=models.CharField(
                choices=[
                    ("held", "Held"), ("pending", "Pending"), ("submitting", "Submitting"), ("open", "Open"),
                    ("partially_filled", "Partially Filled"), ("filled", "Filled"), ("canceled", "Canceled"),
                    ("rejected", "Rejected"), ("expired", "Expired"), ("unknown", "Unknown"),
                ],
                default="pending",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="role",
            field=models.CharField(
                choices=[("entry", "Entry"), ("stop_loss", "Stop Loss"), ("take_profit", "Take Profit"),
                         ("close", "Close")],
                default="entry",
                max_length=12,
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="parent",
            field=models.ForeignKey(
                blank=True, help_text="The entry a protective leg protects", null=True,
                on_delete=django.db.models.deletion.PROTECT, related_name="children", to="execution_app.order",
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="oco_group",
            field=models.CharField(
                blank=True, db_index=True, help_text="Legs sharing it are one-cancels-the-other", max_length=36
            ),
        ),
        migrations.AlterField(
            model_name="order",
            name="order_type",
            field=models.CharField(default="MARKET", help_text="Binance's type name for the market", max_length=24),
        ),
        migrations.AlterField(
            model_name="order",
            name="time_in_force",
            field=models.CharField(blank=True, max_length=8),
        ),
        migrations.AlterField(
            model_name="order",
            name="price",
            field=models.DecimalField(blank=True, decimal_places=12, help_text="Limit price", max_digits=30, null=True),
        ),
        migrations.AddField(
            model_name="order",
            name="stop_price",
            field=models.DecimalField(
                blank=True, decimal_places=12, help_text="Trigger price", max_digits=30, null=True
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="reference_price",
            field=models.DecimalField(
                blank=True, decimal_places=12, help_text="Market price when sized; slippage is measured from it",
                max_digits=30, null=True,
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="close_position",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="order",
            name="conditional_price",
            field=models.DecimalField(blank=True, decimal_places=12, max_digits=30, null=True),
        ),
        migrations.AddField(
            model_name="order",
            name="conditional_direction",
            field=models.CharField(blank=True, help_text="above / below", max_length=5),
        ),
        migrations.AddField(
            model_name="order",
            name="expires_at",
            field=models.DateTimeField(
                blank=True, help_text="A held order expires unless triggered by then", null=True
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="leg_attempt",
            field=models.PositiveSmallIntegerField(
                default=1, help_text="Protective legs: 1 for the first placement, +1 for each retry"
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="params",
            field=models.JSONField(
                blank=True, default=dict, help_text="The execution parameters in force when the order was decided"
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["symbol", "status"], name="order_symbol_status_idx"),
        ),
        migrations.AlterModelOptions(
            name="order",
            options={
                "ordering": ["-id"],
                "permissions": [
                    ("place_manual_order", "Can place manual orders (they still pass the risk gate)"),
                    ("cancel_order", "Can cancel orders"),
                ],
            },
        ),
        migrations.AddField(
            model_name="fill",
            name="exchange",
            field=models.CharField(default="paper", max_length=16),
        ),
        migrations.AddField(
            model_name="fill",
            name="symbol",
            field=models.CharField(default="", max_length=20),
        ),
        migrations.AlterField(
            model_name="fill",
            name="trade_id",
            field=models.CharField(help_text="The exchange's trade id: a fill is recorded once", max_length=64),
        ),
        migrations.AddField(
            model_name="fill",
            name="position_quantity",
            field=models.DecimalField(
                blank=True, decimal_places=12,
                help_text="What reached the position: the quantity less a commission paid in the base asset",
                max_digits=30, null=True,
            ),
        ),
        migrations.RunPython(fills_take_symbol_and_exchange, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="fill", name="one_fill_per_trade"),
        migrations.AddConstraint(
            model_name="fill",
            constraint=models.UniqueConstraint(
                fields=("exchange", "symbol", "trade_id"), name="one_fill_per_exchange_trade"
            ),
        ),
        migrations.CreateModel(
            name="PositionFlag",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("symbol", models.CharField(max_length=20)),
                ("position_side", models.CharField(max_length=5)),
                ("kind", models.CharField(
                    choices=[("unprotected", "Protective order could not be placed")], max_length=16)),
                ("detail", models.CharField(blank=True, max_length=500)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("resolved_at", models.DateTimeField(blank=True, null=True)),
                ("resolved_by", models.CharField(blank=True, max_length=128)),
                ("order", models.ForeignKey(
                    help_text="The entry concerned", on_delete=django.db.models.deletion.PROTECT,
                    related_name="flags", to="execution_app.order")),
            ],
            options={
                "ordering": ["-id"],
                "indexes": [models.Index(fields=["symbol", "position_side", "resolved_at"],
                                         name="flag_position_open_idx")],
            },
        ),
        migrations.CreateModel(
            name="PositionBook",
            fields=[],
            options={
                "verbose_name": "position with P&L",
                "verbose_name_plural": "positions with P&L",
                "permissions": [("close_position", "Can close positions (reduce-only, through the risk gate)")],
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("risk_app.position",),
        ),
    ]
