"""What every soak scenario's result shares: it passed when it found no problems."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any


class Judged:
    """Mixin for a scenario's result dataclass, which declares ``problems: list[str]``."""

    problems: list[str]

    @property
    def passed(self) -> bool:
        return not self.problems

    def derived(self) -> dict[str, Any]:
        """Figures computed from the fields, written next to them."""
        return {}

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), **self.derived(), "passed": self.passed}  # type: ignore[call-overload]
