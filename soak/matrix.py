"""The authentication and signature matrix, over HTTP and the websocket of a
running server: every forged, stale, replayed, revoked, misplaced or missing
credential must be refused and leave no row; the genuine requests next to
them must pass. The signature is computed here from the documented algorithm
(HMAC-SHA256 over `timestamp \\n METHOD \\n path \\n raw body`), not by importing
the server's code."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import requests

from bench.stack import Logins, Stack, session_cookie
from signals_app.models import Signal
from soak.verdict import Judged

SIGNALS = "/api/v1/signals"
# Operations anyone may call: probes, docs, the service banner.
PUBLIC = {"/", "/health", "/ready", "/live", "/version", "/metrics", "/api/schema/", "/api/docs/"}


@dataclass
class Case:
    name: str
    expected: str  # "refused" or "accepted"
    status: int
    code: str

    @property
    def ok(self) -> bool:
        refused = self.status in (401, 403, -1)  # -1: a websocket refused before or at the handshake
        return refused if self.expected == "refused" else 200 <= self.status < 300


@dataclass
class MatrixResult(Judged):
    cases: list[Case]
    anonymous_checked: int
    anonymous_allowed: list[str]
    rows_created_by_refused: int
    problems: list[str] = field(default_factory=list)

    @property
    def refused(self) -> int:
        return sum(1 for c in self.cases if c.expected == "refused" and c.ok)

    @property
    def forged(self) -> int:
        return sum(1 for c in self.cases if c.expected == "refused")

    def derived(self) -> dict[str, Any]:
        return {"refused": self.refused, "forged": self.forged}


def signature(secret: str, timestamp: str, method: str, path: str, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}\n{method}\n{path}\n".encode() + body, hashlib.sha256).hexdigest()


def _body(tag: str) -> bytes:
    return json.dumps({"symbol": "BTCUSDT", "action": "hold", "confidence": 0.8, "signal_id": tag}).encode()


class Probe:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cases: list[Case] = []

    def http(self, name: str, expected: str, method: str, path: str, *, headers: dict[str, str] | None = None,
             body: bytes | None = None, json_body: Any = None) -> requests.Response:  # fmt: skip
        response = requests.request(method, self.base_url + path, headers={"Content-Type": "application/json",
                                    **(headers or {})}, data=body, json=json_body, timeout=30)  # fmt: skip
        try:
            code = response.json().get("error", {}).get("code", "")
        except ValueError:
            code = ""
        self.cases.append(Case(name, expected, response.status_code, code))
        return response

    def socket(self, name: str, expected: str, *, cookie: str, origin: str) -> None:
        async def attempt() -> tuple[int, str]:
            url = self.base_url.replace("http", "ws", 1) + "/ws/dashboard/"
            headers = {"Origin": origin, **({"Cookie": cookie} if cookie else {})}
            try:
                async with aiohttp.ClientSession() as session, session.ws_connect(url, headers=headers) as ws:
                    message = await ws.receive(timeout=15)
                    if message.type == aiohttp.WSMsgType.TEXT and json.loads(message.data).get("event") == "snapshot":
                        return 200, "snapshot"
                    return -1, f"closed {ws.close_code}"
            except aiohttp.WSServerHandshakeError as exc:
                return -1, f"handshake {exc.status}"

        status, code = asyncio.run(attempt())
        self.cases.append(Case(name, expected, status, code))


def _signed(secret: str, *, path: str = SIGNALS, method: str = "POST", body: bytes, skew: int = 0,
            timestamp: str | None = None) -> dict[str, str]:  # fmt: skip
    ts = timestamp if timestamp is not None else str(int(time.time()) + skew)
    return {"X-Petrosa-Timestamp": ts, "X-Petrosa-Signature": signature(secret, ts, method, path, body)}


def _revoke_in_admin(base_url: str, cookie: str, token: str) -> None:
    """Revoke a user token the way an operator does: the admin's Revoke action."""
    prefix = token.split("_")[1]
    session = requests.Session()
    session.headers["Cookie"] = cookie
    page = session.get(f"{base_url}/admin/core/usertoken/", timeout=30).text
    row = next((r for r in page.split("<tr") if prefix in r), "")
    selected = re.search(r'name="_selected_action" value="(\d+)"', row)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not selected or not csrf:
        raise RuntimeError("could not find the token in the admin's list")
    response = session.post(f"{base_url}/admin/core/usertoken/", timeout=30, allow_redirects=False,
                            data={"action": "revoke", "_selected_action": selected.group(1), "index": "0",
                                  "csrfmiddlewaretoken": csrf.group(1)},
                            headers={"Referer": f"{base_url}/admin/core/usertoken/"})  # fmt: skip
    if response.status_code != 302:
        raise RuntimeError(f"the admin's Revoke action answered {response.status_code}")


def matrix_run(stack: Stack, logins: Logins, *, signed_key: str, signed_secret: str, spare_token: str,
               doomed_strategy: str, doomed_key: str) -> MatrixResult:  # fmt: skip
    """`signed_key`/`signed_secret`: a strategy that must sign; `spare_token`: an operator token this run
    revokes; `doomed_strategy`/`doomed_key`: a strategy this run deactivates."""
    base = stack.base_url
    p = Probe(base)
    key = {"Authorization": f"Bearer {logins.strategy_key}"}
    operator = {"Authorization": f"Token {logins.token}"}
    before = Signal.objects.count()
    accepted_rows = 0

    # Strategy keys on the intake.
    p.http("no credentials", "refused", "POST", SIGNALS, body=_body("m1"))
    p.http("unknown strategy key", "refused", "POST", SIGNALS, body=_body("m2"),
           headers={"Authorization": f"Bearer ptk_{uuid.uuid4().hex[:12]}_{uuid.uuid4().hex}"})  # fmt: skip
    p.http("malformed bearer", "refused", "POST", SIGNALS, body=_body("m3"), headers={"Authorization": "Bearer x"})
    altered = logins.strategy_key[:-1] + ("A" if logins.strategy_key[-1] != "A" else "B")
    p.http("strategy key with one character changed", "refused", "POST", SIGNALS, body=_body("m4"),
           headers={"Authorization": f"Bearer {altered}"})  # fmt: skip
    p.http("strategy key sent as a user token", "refused", "POST", SIGNALS, body=_body("m5"),
           headers={"Authorization": f"Token {logins.strategy_key}"})  # fmt: skip
    p.http("operator token on the strategy intake", "refused", "POST", SIGNALS, body=_body("m6"), headers=operator)
    p.http("signal naming another strategy", "refused", "POST", SIGNALS, headers=key,
           json_body={"symbol": "BTCUSDT", "action": "hold", "confidence": 0.8,
                      "strategy_id": doomed_strategy})  # fmt: skip
    deactivate = requests.post(f"{base}/strategies/{doomed_strategy}/deactivate", headers=operator, timeout=30,
                               json={"reason": "auth matrix"})  # fmt: skip
    if deactivate.status_code != 200:
        raise RuntimeError(f"could not deactivate {doomed_strategy}: {deactivate.status_code} {deactivate.text}")
    p.http("key of a deactivated strategy", "refused", "POST", SIGNALS, body=_body("m7"),
           headers={"Authorization": f"Bearer {doomed_key}"})  # fmt: skip
    p.http("genuine strategy key (control)", "accepted", "POST", SIGNALS, body=_body("m-ok"), headers=key)
    accepted_rows += 1

    # Operator endpoints.
    for method, path, payload in (("POST", "/api/v1/risk/kill-switch", {"mode": "halted", "reason": "forged"}),
                                  ("POST", "/api/v1/config/trading", {"parameters": {"enabled": False}, "reason": "x"}),
                                  ("POST", "/api/v1/risk/breaker/rearm", {"reason": "forged"}),
                                  ("GET", "/api/v1/risk/status", None)):  # fmt: skip
        p.http(f"strategy key on {method} {path}", "refused", method, path, headers=key, json_body=payload)
        p.http(f"no credentials on {method} {path}", "refused", method, path, json_body=payload)
        p.http(f"forged user token on {method} {path}", "refused", method, path, json_body=payload,
               headers={"Authorization": f"Token ptu_{uuid.uuid4().hex[:12]}_{uuid.uuid4().hex}"})  # fmt: skip
    cookie = session_cookie(base, logins.operator, logins.password)
    p.http("spare operator token before revocation (control)", "accepted", "GET", "/api/v1/risk/status",
           headers={"Authorization": f"Token {spare_token}"})  # fmt: skip
    _revoke_in_admin(base, cookie, spare_token)
    p.http("revoked operator token", "refused", "GET", "/api/v1/risk/status",
           headers={"Authorization": f"Token {spare_token}"})  # fmt: skip
    p.http("genuine operator token (control)", "accepted", "GET", "/api/v1/risk/status", headers=operator)

    # Signed requests.
    sk = {"X-API-Key": signed_key}
    wrong = "0" * 64
    p.http("signing strategy, unsigned", "refused", "POST", SIGNALS, body=_body("s1"), headers=sk)
    p.http("random signature", "refused", "POST", SIGNALS, body=_body("s2"),
           headers={**sk, "X-Petrosa-Timestamp": str(int(time.time())), "X-Petrosa-Signature": "ab" * 32})  # fmt: skip
    p.http("signed with the wrong secret", "refused", "POST", SIGNALS, body=_body("s3"),
           headers={**sk, **_signed(wrong, body=_body("s3"))})  # fmt: skip
    p.http("stale: 330 s old", "refused", "POST", SIGNALS, body=_body("s4"),
           headers={**sk, **_signed(signed_secret, body=_body("s4"), skew=-330)})  # fmt: skip
    p.http("from the future: +330 s", "refused", "POST", SIGNALS, body=_body("s5"),
           headers={**sk, **_signed(signed_secret, body=_body("s5"), skew=330)})  # fmt: skip
    p.http("timestamp not a number", "refused", "POST", SIGNALS, body=_body("s6"),
           headers={**sk, **_signed(signed_secret, body=_body("s6"), timestamp="yesterday")})  # fmt: skip
    p.http("body changed after signing", "refused", "POST", SIGNALS, body=_body("s7-tampered"),
           headers={**sk, **_signed(signed_secret, body=_body("s7"))})  # fmt: skip
    p.http("signed for another path", "refused", "POST", SIGNALS, body=_body("s8"),
           headers={**sk, **_signed(signed_secret, body=_body("s8"), path="/trade")})  # fmt: skip
    p.http("signed for another method", "refused", "POST", SIGNALS, body=_body("s9"),
           headers={**sk, **_signed(signed_secret, body=_body("s9"), method="PUT")})  # fmt: skip
    genuine = {**sk, **_signed(signed_secret, body=_body("s10"))}
    p.http("genuine signed request (control)", "accepted", "POST", SIGNALS, body=_body("s10"), headers=genuine)
    accepted_rows += 1
    p.http("the same signed request replayed", "refused", "POST", SIGNALS, body=_body("s10"), headers=genuine)

    # The dashboard socket.
    p.socket("anonymous dashboard socket", "refused", cookie="", origin=base)
    p.socket("forged session cookie", "refused", cookie=f"sessionid={uuid.uuid4().hex}", origin=base)
    p.socket("foreign origin with a genuine session", "refused", cookie=cookie, origin="https://evil.example")
    p.socket("genuine staff session (control)", "accepted", cookie=cookie, origin=base)

    anonymous_checked, anonymous_allowed = _anonymous_sweep(base)
    created = Signal.objects.count() - before - accepted_rows
    result = MatrixResult(cases=p.cases, anonymous_checked=anonymous_checked, anonymous_allowed=anonymous_allowed,
                          rows_created_by_refused=created)  # fmt: skip
    for case in p.cases:
        if not case.ok:
            result.problems.append(f"{case.name}: expected {case.expected}, got {case.status} {case.code}")
    if anonymous_allowed:
        result.problems.append(f"anonymous requests not refused: {anonymous_allowed}")
    if created:
        result.problems.append(f"refused requests left {created} signal rows")
    return result


def _anonymous_sweep(base: str) -> tuple[int, list[str]]:
    """Every operation in the OpenAPI schema, called with no credentials at all."""
    schema = requests.get(f"{base}/api/schema/?format=json", timeout=30).json()
    checked, allowed = 0, []
    for path, operations in schema["paths"].items():
        if path in PUBLIC:
            continue
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        for method in operations:
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            response = requests.request(method.upper(), base + concrete, json={}, timeout=30)
            checked += 1
            if response.status_code not in (401, 403):
                allowed.append(f"{method.upper()} {path} → {response.status_code}")
    return checked, allowed
