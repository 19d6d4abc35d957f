"""Trade ideas: ask an advisor, then a reviewer approves or rejects each idea.

Advisors only produce drafts; this module saves them as TradeIdea rows. An
approved idea enters the flow through signal_intake, from the ``ai_advisor``
strategy in llm_reasoning mode, so aggregation and the risk gate judge it
like any other signal. Every change is audited in its own transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from petrosa.core.audit import audit_record
from petrosa.core.errors import Conflict, DomainError, InvalidInput, NotFound
from signals_app.ideas.advice import Advice
from signals_app.ideas.context import advisor_context_build
from signals_app.ideas.llm import llm_advise
from signals_app.ideas.rules import rules_advise
from signals_app.models import Mode, Source, Strategy
from signals_app.models_ideas import IdeaStatus, TradeIdea
from signals_app.serializers import SignalInputSerializer
from signals_app.services.intake import signal_intake
from signals_app.services.strategies import strategy_create

ADVISOR_STRATEGY = "ai_advisor"


@dataclass(frozen=True)
class Analysis:
    analysis_id: str
    advisor: str
    model: str
    context: dict[str, Any]
    notes: list[str]
    ideas: list[TradeIdea] = field(default_factory=list)
    created: int = 0


def _advise(kind: str, symbols: list[str]) -> tuple[Advice, dict[str, Any]]:
    context = advisor_context_build(symbols=symbols)
    advice = llm_advise(context) if kind == "llm" else rules_advise(context)
    return advice, context.as_dict()


def trade_ideas_analyze(
    *, requested_by: str, symbols: list[str] | None = None, advisor: str | None = None, ttl_seconds: int | None = None
) -> Analysis:
    """Ask an advisor about the portfolio and save its ideas, pending review.

    The advisor (possibly an HTTP call) runs before any transaction opens. An
    idea identical to one still pending (symbol, action, side) is not saved
    twice: the pending one is returned instead.
    """
    kind = advisor or settings.AI_ADVISOR
    advice, context = _advise(kind, symbols or [])
    expires_at = timezone.now() + timedelta(seconds=ttl_seconds or settings.AI_IDEA_TTL_SECONDS)
    analysis_id = uuid.uuid4().hex
    ideas: list[TradeIdea] = []
    created = 0
    with transaction.atomic():
        for draft in advice.drafts:
            existing = (
                TradeIdea.objects.filter(
                    symbol=draft.symbol,
                    action=draft.action,
                    side=draft.side,
                    status=IdeaStatus.PENDING,
                    expires_at__gt=timezone.now(),
                )
                .order_by("id")
                .first()
            )
            if existing is not None:
                ideas.append(existing)
                continue
            idea = TradeIdea.objects.create(
                symbol=draft.symbol,
                action=draft.action,
                side=draft.side,
                rationale=draft.rationale,
                confidence=draft.confidence,
                risk_notes=draft.risk_notes,
                rule=draft.rule,
                advisor=advice.advisor,
                advisor_model=advice.model,
                inputs=context,
                expires_at=expires_at,
                requested_by=requested_by,
            )
            audit_record(
                kind="trade_idea.created",
                entity_type="trade_idea",
                entity_id=idea.pk,
                actor=requested_by,
                correlation_id=analysis_id,
                data={"symbol": idea.symbol, "action": idea.action, "confidence": idea.confidence,
                      "advisor": idea.advisor, "rule": idea.rule, "expires_at": idea.expires_at},
            )  # fmt: skip
            ideas.append(idea)
            created += 1
        audit_record(
            kind="ai.analysis_requested",
            entity_type="ai_analysis",
            entity_id=analysis_id,
            actor=requested_by,
            correlation_id=analysis_id,
            data={"advisor": advice.advisor, "model": advice.model, "symbols": symbols or [],
                  "ideas": [idea.pk for idea in ideas], "notes": advice.notes},
        )  # fmt: skip
    return Analysis(analysis_id, advice.advisor, advice.model, context, advice.notes, ideas, created)


def _advisor_strategy() -> Strategy:
    """The ai_advisor strategy, made on first use. Its API key is thrown away:
    nobody sends signals as the advisor except this module."""
    strategy = Strategy.objects.filter(name=ADVISOR_STRATEGY).first()
    if strategy is not None:
        return strategy
    try:
        with transaction.atomic():
            strategy, _key = strategy_create(
                name=ADVISOR_STRATEGY, description="AI trade ideas approved by a reviewer", actor="system"
            )
    except (Conflict, IntegrityError):
        strategy = Strategy.objects.get(name=ADVISOR_STRATEGY)  # a concurrent approval made it first
    return strategy


def _locked_pending(idea_id: int) -> TradeIdea:
    idea = TradeIdea.objects.select_for_update().filter(pk=idea_id).first()
    if idea is None:
        raise NotFound(f"No trade idea {idea_id}.")
    if idea.status != IdeaStatus.PENDING:
        raise Conflict(f"Trade idea {idea_id} is {idea.status}, not pending.", code="idea_not_pending")
    return idea


def _decide(idea: TradeIdea, *, to: str, actor: str, reason: str, data: dict[str, Any] | None = None) -> None:
    updated = TradeIdea.objects.filter(pk=idea.pk, status=IdeaStatus.PENDING).update(
        status=to, decided_by=actor, decided_at=timezone.now(), decision_reason=reason, signal=idea.signal
    )
    if updated != 1:  # cannot happen under the row lock; guard the invariant anyway
        raise Conflict(f"Trade idea {idea.pk} is no longer pending.", code="idea_not_pending")
    idea.refresh_from_db()
    audit_record(
        kind=f"trade_idea.{to}",
        entity_type="trade_idea",
        entity_id=idea.pk,
        actor=actor,
        data={"symbol": idea.symbol, "action": idea.action, "reason": reason, **(data or {})},
    )


def _signal_payload(idea: TradeIdea) -> dict[str, Any]:
    return {
        "symbol": idea.symbol,
        "action": idea.action,
        "confidence": idea.confidence,
        "strategy_mode": Mode.LLM_REASONING,
        "llm_reasoning": idea.rationale,
        "rationale": idea.rationale,
        "meta": {"trade_idea_id": idea.pk, "advisor": idea.advisor, "rule": idea.rule, "side": idea.side},
    }


def trade_idea_approve(*, idea_id: int, reviewer: str, reason: str = "") -> TradeIdea:
    """Turn a pending idea into a signal. An idea past its expiry is marked
    expired (committed) and the approval refused with 409 idea_expired."""
    expired = False
    with transaction.atomic():
        idea = _locked_pending(idea_id)
        if idea.is_expired:
            _decide(idea, to=IdeaStatus.EXPIRED, actor=reviewer, reason="expired before approval")
            expired = True
        else:
            serializer = SignalInputSerializer(data=_signal_payload(idea))
            if not serializer.is_valid():
                raise InvalidInput("The idea does not make a valid signal.", fields=serializer.errors)
            result = signal_intake(
                strategy=_advisor_strategy(),
                data=serializer.validated_data,
                idempotency_key=f"trade-idea-{idea.pk}",
                source=Source.AI_ADVISOR,
                actor=reviewer,
            )
            idea.signal = result.signal
            _decide(idea, to=IdeaStatus.APPROVED, actor=reviewer, reason=reason,
                    data={"signal_id": result.signal.pk})  # fmt: skip
    if expired:
        raise Conflict(f"Trade idea {idea_id} expired at {idea.expires_at.isoformat()}.", code="idea_expired")
    return idea


@transaction.atomic
def trade_idea_reject(*, idea_id: int, reviewer: str, reason: str) -> TradeIdea:
    if not reason.strip():
        raise InvalidInput("A reason is required to reject.", fields={"reason": ["This field is required."]})
    idea = _locked_pending(idea_id)
    _decide(idea, to=IdeaStatus.REJECTED, actor=reviewer, reason=reason.strip())
    return idea


def trade_ideas_expire() -> int:
    """Mark pending ideas past their expiry as expired (beat runs this)."""
    expired = 0
    for idea_id in TradeIdea.objects.filter(status=IdeaStatus.PENDING, expires_at__lte=timezone.now()).values_list(
        "id", flat=True
    ):
        try:
            with transaction.atomic():
                idea = _locked_pending(idea_id)
                _decide(idea, to=IdeaStatus.EXPIRED, actor="system", reason="not reviewed before expiry")
                expired += 1
        except DomainError:
            continue  # a reviewer decided it in the meantime
    return expired
