"""DRF authentication for strategies: ``Authorization: Bearer <key>`` or ``X-API-Key``."""

from __future__ import annotations

from dataclasses import dataclass

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from signals_app.models import Strategy
from signals_app.selectors import strategy_for_key
from signals_app.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_verify


@dataclass(frozen=True)
class StrategyPrincipal:
    """request.user for a strategy: authenticated, never staff."""

    strategy: Strategy
    is_authenticated: bool = True
    is_staff: bool = False
    is_superuser: bool = False

    @property
    def username(self) -> str:
        return f"strategy:{self.strategy.name}"

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return False


class StrategyKeyAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[StrategyPrincipal, Strategy] | None:
        presented = self._presented_key(request)
        if presented is None:
            return None  # let session/token auth try
        strategy = strategy_for_key(presented)
        if strategy is None:
            raise AuthenticationFailed("Invalid API key.")
        if not strategy.is_active:
            raise AuthenticationFailed(f"Strategy {strategy.name} is inactive; an operator must activate it.")
        if strategy.require_signature:
            signature_verify(
                strategy=strategy,
                timestamp=request.headers.get(TIMESTAMP_HEADER),
                signature=request.headers.get(SIGNATURE_HEADER),
                method=request.method or "",
                path=request.path,
                body=request._request.body,
            )
        return StrategyPrincipal(strategy=strategy), strategy

    def authenticate_header(self, request: Request) -> str:
        return self.keyword

    def _presented_key(self, request: Request) -> str | None:
        header = request.META.get("HTTP_X_API_KEY")
        if header:
            return header.strip()
        authorization = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, credentials = authorization.partition(" ")
        # "Token ..." is a user-scoped token (petrosa.core.user_tokens): operators' scripts and agents.
        if scheme.lower() == "bearer":
            return credentials.strip()
        return None


def strategy_of(request: Request) -> Strategy | None:
    return request.auth if isinstance(request.auth, Strategy) else None
