"""Replaying recorded prices: one kline close per symbol per tick.

The files are Binance kline CSVs as data.binance.vision publishes them
(open_time, open, high, low, close, volume, ...), with or without a header
row. At the end of a file the replay starts again from its first row.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

CLOSE_COLUMN = 4


class KlineFileError(ValueError):
    pass


def kline_closes(path: str | Path) -> tuple[Decimal, ...]:
    """The close prices of a kline CSV, in file order."""
    file = Path(path)
    try:
        modified = file.stat().st_mtime_ns
    except OSError as exc:
        raise KlineFileError(f"cannot read kline file {file}: {exc}") from exc
    return _closes(str(file), modified)


@lru_cache(maxsize=32)
def _closes(path: str, modified: int) -> tuple[Decimal, ...]:
    closes: list[Decimal] = []
    with open(path, newline="") as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            if not row or not row[0].strip():
                continue
            if not row[0].strip().isdigit():
                if number == 1:
                    continue  # a header row
                raise KlineFileError(f"{path}:{number}: open_time is not a number")
            try:
                close = Decimal(row[CLOSE_COLUMN].strip())
            except (IndexError, InvalidOperation):
                raise KlineFileError(f"{path}:{number}: no close price in column {CLOSE_COLUMN + 1}") from None
            if not close.is_finite() or close <= 0:
                raise KlineFileError(f"{path}:{number}: close price must be positive")
            closes.append(close)
    if not closes:
        raise KlineFileError(f"{path}: no klines")
    return tuple(closes)


class KlineReplayFeed:
    name = "kline_replay"
    remote = False

    def __init__(self, *, files: Mapping[str, str | Path]) -> None:
        self.files = dict(files)

    @property
    def symbols(self) -> list[str]:
        return sorted(self.files)

    def next_prices(self, *, current: Mapping[str, Decimal], step: int) -> dict[str, Decimal]:
        """Step 1 is each file's first row."""
        prices: dict[str, Decimal] = {}
        for symbol in self.symbols:
            closes = kline_closes(self.files[symbol])
            prices[symbol] = closes[(step - 1) % len(closes)]
        return prices
