"""Request and response shapes of the trading-config API (seed 004).

Parameter values are checked by configs_app.schema, not here: these
serializers only check the envelope, so a bad value gets the schema's
field-level error with its stable code and valid range.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from configs_app.models import Scope, Side


class _StrictSerializer(serializers.Serializer):
    """Refuses unknown top-level keys: {"leverage": 5} without "parameters" is a
    mistake worth a 400, not a silent no-op."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [f"Unknown field; expected one of {', '.join(self.fields)}."] for name in unknown}
                )
        return super().to_internal_value(data)


@extend_schema_field(OpenApiTypes.ANY)
class _AnyValueField(serializers.Field):
    def to_internal_value(self, data: Any) -> Any:
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class ConfigWriteInputSerializer(_StrictSerializer):
    parameters = serializers.DictField(
        child=_AnyValueField(allow_null=True),
        required=False,
        default=dict,
        help_text="name -> value; see GET /api/v1/config/trading/schema",
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text="Why; required unless validate_only"
    )
    changed_by = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=128,
        help_text="Your client's label (e.g. llm_agent_v1); the audit records the "
        "authenticated user as the author and keeps this as 'agent'",
    )
    validate_only = serializers.BooleanField(required=False, default=False, help_text="Dry run: check, write nothing")
    expected_version = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        help_text="Refuse with 409 unless the scope is at this version",
    )
    unset = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        default=list,
        help_text="Parameter names to remove from this scope (they inherit again)",
    )
    replace = serializers.BooleanField(
        required=False, default=False, help_text="Replace the scope's overrides with parameters instead of merging"
    )


class ConfigDeleteInputSerializer(_StrictSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    changed_by = serializers.CharField(required=False, allow_blank=True, default="", max_length=128)
    validate_only = serializers.BooleanField(required=False, default=False)
    expected_version = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0)


class ConfigValidateInputSerializer(_StrictSerializer):
    parameters = serializers.DictField(child=_AnyValueField(allow_null=True))
    symbol = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    side = serializers.CharField(required=False, allow_blank=True, default="", max_length=5)


class ConfigRollbackInputSerializer(_StrictSerializer):
    scope = serializers.ChoiceField(
        choices=Scope.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Optional; must match symbol/side when given",
    )
    symbol = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    side = serializers.CharField(required=False, allow_blank=True, default="", max_length=5)
    version = serializers.IntegerField(min_value=1, help_text="Restore the parameters as they were after this version")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    changed_by = serializers.CharField(required=False, allow_blank=True, default="", max_length=128)
    validate_only = serializers.BooleanField(required=False, default=False)
    expected_version = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0)


class ResolvedValueSerializer(serializers.Serializer):
    value = _AnyValueField(allow_null=True)
    source = serializers.ChoiceField(choices=["default", "global", "symbol", "symbol_side"])


class ConfigDataSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=Scope.choices)
    symbol = serializers.CharField(allow_null=True)
    side = serializers.ChoiceField(choices=Side.choices, allow_null=True)
    parameters = serializers.DictField(help_text="This scope's own overrides")
    version = serializers.IntegerField()
    source = serializers.CharField(help_text="database (this scope has overrides) or inherited (it has none)")
    created_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    updated_by = serializers.CharField(allow_null=True)
    resolved = serializers.DictField(
        child=ResolvedValueSerializer(), help_text="Every parameter in force, with its source"
    )
    previous_parameters = serializers.DictField(required=False)


class ConfigMetadataSerializer(serializers.Serializer):
    action = serializers.CharField(help_text="read, created, updated, unchanged, deleted, rolled_back or validated")
    scope = serializers.ChoiceField(choices=Scope.choices)
    validate_only = serializers.BooleanField()


class ConfigResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    data = ConfigDataSerializer()
    metadata = ConfigMetadataSerializer()


class ConfigVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    scope = serializers.CharField()
    symbol = serializers.CharField()
    side = serializers.CharField()
    version = serializers.IntegerField()
    action = serializers.CharField()
    parameters_before = serializers.DictField()
    parameters_after = serializers.DictField()
    changed_by = serializers.CharField()
    agent = serializers.CharField()
    reason = serializers.CharField()
    rolled_back_to = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


class ConfigHistoryResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    data = ConfigVersionSerializer(many=True)
    metadata = serializers.DictField()


class EnvelopeSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    data = serializers.DictField()
