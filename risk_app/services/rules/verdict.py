"""One rule's answer, recorded on the RiskDecision."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    rule: str
    passed: bool
    code: str  # "ok" when passed; a stable reason code when not
    detail: str


def ok(rule: str, detail: str) -> Verdict:
    return Verdict(rule, True, "ok", detail)


def refuse(rule: str, code: str, detail: str) -> Verdict:
    return Verdict(rule, False, code, detail)
