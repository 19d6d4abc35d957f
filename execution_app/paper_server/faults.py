"""Test-only fault injection and request log for the paper exchange server.

Off unless the server is started with faults enabled (setting
``PAPER_EXCHANGE_FAULTS`` / env ``PETROSA_PAPER_EXCHANGE_FAULTS=true``, or
``--faults`` on the command; production settings refuse it). When on, these
unauthenticated control endpoints exist, and only then:

* ``POST /_paper/faults`` with a JSON rule, e.g.
  ``{"method": "POST", "path": "/fapi/v1/order", "status": 503, "code": -1007,
  "when": "after", "times": 1}``:
  the next matching request gets that error. ``when="before"`` refuses it
  untouched; ``when="after"`` lets the engine act first and then loses the
  answer (the order exists, the client sees a 5xx: outcome unknown).
  ``delay_seconds`` sleeps before answering (a client timeout); ``status: 0``
  answers normally after the delay; ``retry_after`` adds that header. ``match`` restricts the rule to requests
  carrying those parameters. ``times: 0`` keeps the rule until reset.
* ``POST /_paper/clock`` ``{"offset_ms": 5000}``: shift the server's clock, so
  clients out of sync get ``-1021``.
* ``POST /_paper/reset``: clear rules, clock offset, request log and weights.
* ``GET /_paper/requests``: every request seen (method, path, parameters
  without the signature), so a test can prove an order was sent only once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from execution_app.exchange.paper_engine.errors import PaperBinanceError

UNKNOWN_STATUS_MESSAGE = (
    "Timeout waiting for response from backend server. Send status unknown; execution status unknown."
)
_LOG_LIMIT = 20_000


@dataclass
class FaultRule:
    path: str
    method: str = ""
    status: int = 503
    code: int = -1007
    msg: str = UNKNOWN_STATUS_MESSAGE
    when: str = "after"
    delay_seconds: float = 0.0
    retry_after: int = 0  # sent as Retry-After when set (429/418 faults)
    times: int = 1
    match: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> FaultRule:
        if not isinstance(raw, dict) or not isinstance(raw.get("path"), str):
            raise PaperBinanceError(-1102, "A fault rule needs a 'path'.")
        known = {name: raw[name] for name in cls.__dataclass_fields__ if name in raw}
        rule = cls(**known)
        if rule.when not in ("before", "after"):
            raise PaperBinanceError(-1102, "A fault rule's 'when' is 'before' or 'after'.")
        return rule

    def matches(self, method: str, path: str, params: dict[str, str]) -> bool:
        if self.path != path or (self.method and self.method.upper() != method):
            return False
        return all(params.get(key) == value for key, value in self.match.items())

    def error(self) -> PaperBinanceError | None:
        return PaperBinanceError(self.code, self.msg, self.status) if self.status else None


class Faults:
    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.clock_offset_ms = 0
        self._rules: list[FaultRule] = []
        self._log: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def add(self, rule: FaultRule) -> None:
        with self._lock:
            self._rules.append(rule)

    def take(self, method: str, path: str, params: dict[str, str]) -> FaultRule | None:
        """The first rule this request triggers, used up by one."""
        if not self.enabled:
            return None
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path, params):
                    if rule.times > 0:
                        rule.times -= 1
                        if rule.times == 0:
                            self._rules.remove(rule)
                    return rule
        return None

    def record(self, method: str, path: str, params: dict[str, str]) -> None:
        if not self.enabled:
            return
        entry = {"method": method, "path": path, "params": {k: v for k, v in params.items() if k != "signature"}}
        with self._lock:
            self._log.append(entry)
            del self._log[:-_LOG_LIMIT]

    def requests(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._log)

    def reset(self) -> None:
        with self._lock:
            self._rules.clear()
            self._log.clear()
            self.clock_offset_ms = 0
