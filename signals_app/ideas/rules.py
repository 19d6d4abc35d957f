"""The default advisor: a few transparent rules over the open positions, offline.

It only ever suggests cutting risk (closing a position); it never suggests a
new entry, because it has no view of the market beyond the last price. Every
idea names the rule and the numbers that triggered it.

| rule            | fires when                                            | suggests |
|-----------------|-------------------------------------------------------|----------|
| loss_limit      | unrealized loss of LOSS_LIMIT (5 %) of cost or more   | close    |
| take_profit     | unrealized gain of TAKE_PROFIT (10 %) of cost or more | close    |
| concentration   | one position above CONCENTRATION (50 %) of the open   | close    |
|                 | notional, with two or more positions open             |          |
"""

from __future__ import annotations

from decimal import Decimal

from signals_app.ideas.advice import Advice, IdeaDraft
from signals_app.ideas.context import AdvisorContext, PositionView

LOSS_LIMIT = Decimal("0.05")
TAKE_PROFIT = Decimal("0.10")
CONCENTRATION = Decimal("0.50")


def _clamp(value: Decimal, low: str, high: str) -> Decimal:
    return max(Decimal(low), min(Decimal(high), value)).quantize(Decimal("0.00001"))


def _pct(value: Decimal) -> str:
    return f"{value * 100:.2f} %"


def _describe(position: PositionView) -> str:
    mark = position.mark_price or position.avg_entry_price
    return (
        f"{position.side} {position.quantity.normalize():f} {position.symbol} entered at "
        f"{position.avg_entry_price.normalize():f}, now {mark.normalize():f}"
    )


def _position_draft(position: PositionView, share: Decimal | None) -> IdeaDraft | None:
    ret = position.return_pct
    concentration_note = (
        f"This position is {_pct(share)} of the open notional (above {_pct(CONCENTRATION)})." if share else ""
    )
    if ret <= -LOSS_LIMIT:
        return IdeaDraft(
            symbol=position.symbol,
            action="close",
            side=position.side,
            rule="loss_limit",
            confidence=_clamp(Decimal("0.6") + (-ret - LOSS_LIMIT) * 2, "0.6", "0.95"),
            rationale=f"{_describe(position)}: unrealized {_pct(ret)}, beyond the {_pct(LOSS_LIMIT)} loss limit. "
            "Closing caps the loss.",
            risk_notes=" ".join(filter(None, ["The price may recover after the close.", concentration_note])),
        )
    if ret >= TAKE_PROFIT:
        return IdeaDraft(
            symbol=position.symbol,
            action="close",
            side=position.side,
            rule="take_profit",
            confidence=_clamp(Decimal("0.55") + (ret - TAKE_PROFIT) * 2, "0.55", "0.9"),
            rationale=f"{_describe(position)}: unrealized {_pct(ret)}, above the {_pct(TAKE_PROFIT)} profit mark. "
            "Closing locks the gain in.",
            risk_notes=" ".join(filter(None, ["Closing gives up any further move.", concentration_note])),
        )
    if share:
        return IdeaDraft(
            symbol=position.symbol,
            action="close",
            side=position.side,
            rule="concentration",
            confidence=Decimal("0.6"),
            rationale=f"{_describe(position)}: {concentration_note} Closing it spreads the risk.",
            risk_notes=f"Unrealized {_pct(ret)} would be realized.",
        )
    return None


def rules_advise(context: AdvisorContext) -> Advice:
    drafts: list[IdeaDraft] = []
    notes: list[str] = []
    total = context.total_notional
    for position in context.positions:
        share = position.notional / total if total else Decimal("0")
        concentrated = len(context.positions) >= 2 and share > CONCENTRATION
        draft = _position_draft(position, share if concentrated else None)
        if draft is not None:
            drafts.append(draft)
    if not context.positions:
        notes.append("No open positions: the rules advisor suggests exits and risk cuts only, so nothing to suggest.")
    elif not drafts:
        notes.append(
            f"{len(context.positions)} open position(s), none beyond the loss limit ({_pct(LOSS_LIMIT)}), "
            f"the profit mark ({_pct(TAKE_PROFIT)}) or the concentration limit ({_pct(CONCENTRATION)})."
        )
    unpriced = sorted(p.symbol for p in context.positions if p.mark_price is None)
    if unpriced:
        notes.append(f"No market price for {', '.join(unpriced)}: judged at the entry price.")
    return Advice(advisor="rules", drafts=drafts, notes=notes)
