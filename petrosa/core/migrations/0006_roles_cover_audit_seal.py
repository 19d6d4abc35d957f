"""Re-apply the operator roles so they cover models added after 0004 (AuditSeal).

roles_apply is idempotent: it recomputes every role's permissions from the
models that exist at this point. A migration adding a model should be
followed by one like this.
"""

from __future__ import annotations

from importlib import import_module

from django.db import migrations

roles = import_module("petrosa.core.migrations.0004_operator_roles")


class Migration(migrations.Migration):
    dependencies = [("core", "0005_audit_seal"), ("signals_app", "0007_order_type_defaults_to_config")]

    operations = [migrations.RunPython(roles.roles_apply, migrations.RunPython.noop)]
