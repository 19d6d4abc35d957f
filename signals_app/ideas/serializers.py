"""Input and output shapes of the AI endpoints."""

from __future__ import annotations

from rest_framework import serializers

from petrosa.core.api import ExactModelSerializer
from signals_app.models_ideas import TradeIdea


class AnalyzeInputSerializer(serializers.Serializer):
    symbols = serializers.ListField(
        child=serializers.RegexField(r"^[A-Za-z0-9]{5,20}$"), required=False, default=list, max_length=50,
        help_text="Symbols to look at besides the open positions, e.g. [\"BTCUSDT\"].",
    )  # fmt: skip
    advisor = serializers.ChoiceField(
        choices=["rules", "llm"], required=False, help_text="Default: PETROSA_AI_ADVISOR (rules)."
    )
    ttl_seconds = serializers.IntegerField(
        min_value=60, max_value=86400, required=False, help_text="How long the ideas wait for a review."
    )

    def validate_symbols(self, value: list[str]) -> list[str]:
        return sorted({symbol.upper() for symbol in value})


class IdeaActionInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["approve", "reject"])
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text="Required to reject."
    )


class TradeIdeaOutputSerializer(ExactModelSerializer):
    signal_id = serializers.IntegerField(allow_null=True, read_only=True)

    class Meta:
        model = TradeIdea
        fields = [
            "id", "symbol", "action", "side", "rationale", "confidence", "risk_notes", "rule", "advisor",
            "advisor_model", "status", "expires_at", "requested_by", "decided_by", "decided_at", "decision_reason",
            "signal_id", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class AnalysisOutputSerializer(serializers.Serializer):
    analysis_id = serializers.CharField()
    advisor = serializers.CharField()
    model = serializers.CharField(help_text="The LLM model, empty for the rules advisor.")
    portfolio = serializers.JSONField(source="context", help_text="What the advisor looked at.")
    notes = serializers.ListField(child=serializers.CharField())
    created = serializers.IntegerField(help_text="New ideas; the rest were already pending.")
    ideas = TradeIdeaOutputSerializer(many=True)
