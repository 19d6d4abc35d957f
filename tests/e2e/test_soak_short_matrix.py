"""make soak's authentication and signature matrix, in full (it is short): over
HTTP and the websocket of the real server, every forged, stale, replayed,
revoked, misplaced or missing credential is refused and leaves no row, the
genuine controls pass, and no operation in the schema answers anonymous callers."""

from __future__ import annotations

import time

from petrosa.core.models import UserToken
from petrosa.core.user_tokens import user_token_create
from signals_app.models import Strategy
from signals_app.services.strategies import strategy_create, strategy_set_signing
from soak.matrix import matrix_run
from soak.short import short_stack


def test_every_forged_stale_or_replayed_request_is_refused(subprocess_env: dict[str, str]) -> None:
    started = time.monotonic()
    with short_stack(subprocess_env) as (stack, logins):
        signed, signed_key = strategy_create(name="matrix_signed", actor="test")
        secret = strategy_set_signing(strategy=signed, required=True, actor="test")
        _, doomed_key = strategy_create(name="matrix_doomed", actor="test")
        spare, spare_token = user_token_create(user=UserToken.objects.get().user, name="spare", actor="test")
        result = matrix_run(stack, logins, signed_key=signed_key, signed_secret=secret or "", spare_token=spare_token,
                            doomed_strategy="matrix_doomed", doomed_key=doomed_key)  # fmt: skip
    assert result.problems == []
    assert result.forged >= 30 and result.refused == result.forged
    assert [c.name for c in result.cases if c.expected == "accepted" and c.ok] == [
        "genuine strategy key (control)", "spare operator token before revocation (control)",
        "genuine operator token (control)", "genuine signed request (control)", "genuine staff session (control)",
    ]  # fmt: skip
    assert result.anonymous_checked > 50 and result.anonymous_allowed == []
    assert result.rows_created_by_refused == 0
    assert not Strategy.objects.get(name="matrix_doomed").is_active
    spare.refresh_from_db()
    assert spare.revoked_at is not None
    print(f"matrix: {result.refused}/{result.forged} refused in {time.monotonic() - started:.1f}s")
