"""Operator roles: five groups and the permissions each needs.

| role         | can                                                                          |
|--------------|------------------------------------------------------------------------------|
| viewer       | see every record (admin lists, API reads, dashboard); change nothing         |
| trader       | viewer + place manual orders, cancel orders, close positions, ask the AI     |
| reviewer     | viewer + approve/reject signals waiting for review and AI ideas, ask the AI  |
| risk officer | viewer + kill switch, re-arm the breaker, change configs and strategies,     |
|              | cancel orders, close positions, resolve reconciliation, force leverage        |
| admin        | every permission of the project's apps and of users and groups               |

Permissions are looked up by codename and must exist: a missing one stops
the migration rather than leaving a role quietly without its power. Django
creates permissions only after all migrations (post_migrate), so this
migration creates them first for the apps it depends on.

roles_apply is idempotent; the test suite calls it again after a
transactional test empties auth_group.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

PROJECT_APPS = ("core", "configs_app", "signals_app", "risk_app", "execution_app")
# Readable by no role but admin: token rows name people's scripts.
NOT_FOR_VIEWERS = frozenset({"core.view_usertoken"})

ACTIONS: dict[str, tuple[str, ...]] = {
    "viewer": (),
    "trader": (
        "execution_app.place_manual_order",
        "execution_app.cancel_order",
        "execution_app.close_position",
        "signals_app.request_analysis",
    ),
    "reviewer": (
        "signals_app.review_signal",
        "signals_app.review_tradeidea",
        "signals_app.request_analysis",
    ),
    "risk officer": (
        "risk_app.change_riskstate",
        "risk_app.rearm_breaker",
        "configs_app.add_tradingconfig",
        "configs_app.change_tradingconfig",
        "signals_app.change_strategy",
        "execution_app.cancel_order",
        "execution_app.close_position",
        "execution_app.resolve_reconciliation",
        "execution_app.force_leverage",
    ),
}
ADMIN_EXTRA_APPS = ("auth",)


def _permission(permission_model: Any, label: str) -> Any:
    app_label, codename = label.split(".", 1)
    found = permission_model.objects.filter(content_type__app_label=app_label, codename=codename).first()
    if found is None:
        raise LookupError(f"operator roles: permission {label} does not exist; was it renamed?")
    return found


def roles_apply(apps: Any, schema_editor: Any) -> None:
    for label in (*PROJECT_APPS, *ADMIN_EXTRA_APPS):
        app_config = apps.get_app_config(label)
        # Historical app configs have no models module; create_permissions skips those.
        had = getattr(app_config, "models_module", None)
        app_config.models_module = had or True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = had
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    project = permission_model.objects.filter(content_type__app_label__in=PROJECT_APPS)
    views = [
        p for p in project.filter(codename__startswith="view_").select_related("content_type")
        if f"{p.content_type.app_label}.{p.codename}" not in NOT_FOR_VIEWERS
    ]  # fmt: skip
    for role, actions in ACTIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        group.permissions.set([*views, *(_permission(permission_model, label) for label in actions)])
    admin, _ = group_model.objects.get_or_create(name="admin")
    admin.permissions.set(permission_model.objects.filter(content_type__app_label__in=(*PROJECT_APPS, "auth")))


def roles_remove(apps: Any, schema_editor: Any) -> None:
    apps.get_model("auth", "Group").objects.filter(name__in=[*ACTIONS, "admin"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0003_user_token"),
        ("configs_app", "0003_pct_parameters_are_percents"),
        ("signals_app", "0006_builtin_strategies"),
        ("risk_app", "0002_breaker_portfolio_day_and_reservations"),
        ("execution_app", "0004_binance_leverage_reconciliation"),
    ]

    operations = [migrations.RunPython(roles_apply, roles_remove)]
