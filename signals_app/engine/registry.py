"""Which strategy kinds exist. A registry holds classes' instances, which hold
no data, so a fresh registry in another process computes the same signals."""

from __future__ import annotations

from signals_app.engine.base import StrategyKind
from signals_app.engine.ma_crossover import MovingAverageCrossover
from signals_app.engine.rsi_reversion import RsiMeanReversion


class UnknownStrategyKind(KeyError):
    pass


class StrategyRegistry:
    def __init__(self, kinds: list[StrategyKind] | None = None) -> None:
        self._kinds: dict[str, StrategyKind] = {}
        for kind in kinds or []:
            self.register(kind)

    def register(self, kind: StrategyKind) -> None:
        if kind.kind in self._kinds:
            raise ValueError(f"strategy kind {kind.kind!r} is already registered")
        self._kinds[kind.kind] = kind

    def get(self, kind: str) -> StrategyKind:
        try:
            return self._kinds[kind]
        except KeyError:
            raise UnknownStrategyKind(kind) from None

    def choices(self) -> list[tuple[str, str]]:
        return [(name, kind.label) for name, kind in sorted(self._kinds.items())]


def shipped_registry() -> StrategyRegistry:
    """A new registry with the strategies that ship with Petrosa."""
    return StrategyRegistry([MovingAverageCrossover(), RsiMeanReversion()])
