"""The optional LLM advisor: an OpenAI-compatible chat-completions endpoint.

Configured by environment (PETROSA_AI_LLM_URL, PETROSA_AI_LLM_API_KEY,
PETROSA_AI_LLM_MODEL). The model sees the same context as the rules advisor
and answers in JSON. Its answer is treated as untrusted input: ideas naming a
symbol outside the context, an unknown action or a confidence outside 0-1
are dropped, with a note saying so. The call happens outside any database
transaction.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

import requests
from django.conf import settings

from petrosa.core.errors import Unavailable, Unprocessable
from signals_app.ideas.advice import Advice, IdeaDraft
from signals_app.ideas.context import AdvisorContext

SYSTEM_PROMPT = (
    "You are a cautious trading risk advisor. You never execute trades; a human reviews every idea and a risk "
    "gate checks it afterwards. Given the portfolio and prices as JSON, answer with a JSON object "
    '{"ideas": [{"symbol": str, "action": "buy"|"sell"|"close", "side": "LONG"|"SHORT"|"", '
    '"confidence": number 0-1, "rationale": str, "risk_notes": str}], "notes": [str]}. '
    "Only name symbols present in the input. Prefer reducing risk; suggest nothing when unsure."
)
MAX_IDEAS = 10


def llm_configured() -> bool:
    return bool(settings.AI_LLM_URL)


def _draft(raw: Any, context: AdvisorContext) -> tuple[IdeaDraft | None, str]:
    if not isinstance(raw, dict):
        return None, "an idea that is not an object"
    symbol = str(raw.get("symbol", "")).strip().upper()
    action = str(raw.get("action", "")).strip().lower()
    side = str(raw.get("side") or "").strip().upper()
    rationale = str(raw.get("rationale", "")).strip()
    if symbol not in context.symbols:
        return None, f"an idea for {symbol or 'no symbol'}, which is not in the portfolio or the prices"
    if action not in ("buy", "sell", "close"):
        return None, f"an idea with action {action!r}"
    if side not in ("", "LONG", "SHORT"):
        return None, f"an idea with side {side!r}"
    try:
        confidence = Decimal(str(raw.get("confidence")))
    except InvalidOperation:
        return None, "an idea without a numeric confidence"
    if not confidence.is_finite() or not Decimal("0") <= confidence <= Decimal("1"):
        return None, f"an idea with confidence {raw.get('confidence')!r}"
    if not rationale:
        return None, "an idea without a rationale"
    return (
        IdeaDraft(
            symbol=symbol,
            action=action,
            side=side if action == "close" else "",
            rationale=rationale[:5000],
            confidence=confidence.quantize(Decimal("0.00001")),
            risk_notes=str(raw.get("risk_notes") or "")[:5000],
            rule="llm",
        ),
        "",
    )


def _completion(context: AdvisorContext) -> dict[str, Any]:
    url = settings.AI_LLM_URL.rstrip("/") + "/chat/completions"
    headers = {"Content-Type": "application/json"}
    if settings.AI_LLM_API_KEY:
        headers["Authorization"] = f"Bearer {settings.AI_LLM_API_KEY}"
    body = {
        "model": settings.AI_LLM_MODEL,
        "temperature": 0,
        "response_format": {"type": "json_object"},
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": json.dumps(context.as_dict(), sort_keys=True)},
        ],
    }
    try:
        response = requests.post(url, json=body, headers=headers, timeout=settings.AI_LLM_TIMEOUT_SECONDS)
    except requests.RequestException as exc:
        raise Unavailable(f"The LLM advisor did not answer: {type(exc).__name__}.", code="advisor_unavailable") from exc
    if response.status_code != 200:
        raise Unavailable(f"The LLM advisor answered HTTP {response.status_code}.", code="advisor_unavailable")
    try:
        content = response.json()["choices"][0]["message"]["content"]
        answer = json.loads(content)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise Unavailable("The LLM advisor's answer was not the expected JSON.", code="advisor_unavailable") from exc
    if not isinstance(answer, dict):
        raise Unavailable("The LLM advisor's answer was not a JSON object.", code="advisor_unavailable")
    return answer


def llm_advise(context: AdvisorContext) -> Advice:
    if not llm_configured():
        raise Unprocessable("No LLM advisor is configured (PETROSA_AI_LLM_URL).", code="advisor_not_configured")
    answer = _completion(context)
    drafts: list[IdeaDraft] = []
    notes = [str(note)[:500] for note in answer.get("notes", []) if isinstance(note, str)][:10]
    raw_ideas = answer.get("ideas", [])
    for raw in raw_ideas[:MAX_IDEAS] if isinstance(raw_ideas, list) else []:
        draft, problem = _draft(raw, context)
        if draft is None:
            notes.append(f"Dropped {problem}.")
        else:
            drafts.append(draft)
    return Advice(advisor="llm", drafts=drafts, notes=notes, model=settings.AI_LLM_MODEL)
