"""What has to happen at the exchange after a database change: orders to send, orders to cancel.

Services that decide (protection, OCO, close, conditional triggers) change
rows inside a transaction and return a FollowUp; the caller carries it out
after commit, so no exchange call ever happens inside a transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FollowUp:
    cancel: list[int] = field(default_factory=list)  # live orders to cancel at the exchange, first
    submit: list[int] = field(default_factory=list)  # pending orders to send, after the cancels

    def __add__(self, other: FollowUp) -> FollowUp:
        return FollowUp(cancel=[*self.cancel, *other.cancel], submit=[*self.submit, *other.submit])

    def __bool__(self) -> bool:
        return bool(self.cancel or self.submit)
