"""What an advisor returns: draft ideas and notes. Plain data, nothing saved."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class IdeaDraft:
    symbol: str
    action: str  # buy, sell or close
    rationale: str
    confidence: Decimal
    side: str = ""  # for close: the LONG or SHORT position it targets
    risk_notes: str = ""
    rule: str = ""


@dataclass(frozen=True)
class Advice:
    advisor: str  # rules or llm
    drafts: list[IdeaDraft]
    notes: list[str] = field(default_factory=list)
    model: str = ""
