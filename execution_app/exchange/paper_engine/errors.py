"""PaperBinanceError: the one error the paper engine raises, carrying Binance's code."""

from __future__ import annotations

from typing import Any


class PaperBinanceError(Exception):
    """Binance said no. ``code``/``msg`` are exactly what Binance puts in its JSON
    error body; ``http_status`` is the status Binance answers with (400 for
    nearly everything a client sent wrong, 401 for key problems, 429/418 for
    rate limits). Nothing was changed when this is raised: the engine raises it
    before writing, or inside the transaction that is then rolled back."""

    def __init__(self, code: int, msg: str, http_status: int = 400) -> None:
        super().__init__(f"{code}: {msg}")
        self.code = code
        self.msg = msg
        self.http_status = http_status

    def as_dict(self) -> dict[str, Any]:
        """The JSON body Binance sends: ``{"code": -2010, "msg": "..."}``."""
        return {"code": self.code, "msg": self.msg}
