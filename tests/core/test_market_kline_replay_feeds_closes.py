"""Replaying Binance kline CSVs: one close per tick, header or not, looping at the end."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from petrosa.core.feeds.kline_replay import KlineFileError, KlineReplayFeed
from petrosa.core.feeds.run import market_tick_run
from petrosa.core.models import MarketPrice

HEADER = (
    "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,"
    "ignore\n"
)
ROWS = [
    "1704067200000,42283.58,42554.57,42261.02,42475.23,1271.68,1704070799999,53957589.1,47134,682.1,28946556.5,0\n",
    "1704070800000,42475.23,42775.00,42431.65,42613.56,1196.37,1704074399999,50983485.8,44480,586.5,24998813.2,0\n",
    "1704074400000,42613.57,42638.41,42500.00,42586.64,685.74,1704077999999,29195917.3,32418,308.6,13139217.0,0\n",
]


def write(tmp_path: Path, name: str, text: str) -> Path:
    file = tmp_path / name
    file.write_text(text)
    return file


def test_one_close_per_tick_then_from_the_start_again(tmp_path: Path) -> None:
    btc = write(tmp_path, "BTCUSDT-1h.csv", HEADER + "".join(ROWS))
    eth = write(tmp_path, "ETHUSDT-1h.csv", "1704067200000,2281,2300,2270,2295.51,1,1704070799999,0,0,0,0,0\n")
    feed = KlineReplayFeed(files={"BTCUSDT": btc, "ETHUSDT": eth})
    closes = [feed.next_prices(current={}, step=step) for step in range(1, 5)]
    assert [c["BTCUSDT"] for c in closes] == [Decimal("42475.23"), Decimal("42613.56"), Decimal("42586.64"),
                                              Decimal("42475.23")]  # fmt: skip
    assert {c["ETHUSDT"] for c in closes} == {Decimal("2295.51")}


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "no klines"), (HEADER + "1704067200000,1,2\n", "no close price"), (HEADER + "x,1,1,1,1\n", "not a number"),
     ("1704067200000,1,1,1,-5,1\n", "must be positive")],
)  # fmt: skip
def test_a_bad_file_is_named_with_its_line(tmp_path: Path, text: str, message: str) -> None:
    feed = KlineReplayFeed(files={"BTCUSDT": write(tmp_path, "bad.csv", text)})
    with pytest.raises(KlineFileError, match=message):
        feed.next_prices(current={}, step=1)


def test_replay_ticks_store_the_closes(tmp_path: Path, transactional_db: Any) -> None:
    feed = KlineReplayFeed(files={"BTCUSDT": write(tmp_path, "BTCUSDT.csv", "".join(ROWS))})
    market_tick_run(feed=feed)
    market_tick_run(feed=feed)
    stored = MarketPrice.objects.get(symbol="BTCUSDT")
    assert (stored.price, stored.source) == (Decimal("42613.56"), "kline_replay")
