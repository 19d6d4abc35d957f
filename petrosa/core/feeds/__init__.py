"""Price feeds: where the paper market's prices come from, one tick at a time.

- ``random_walk`` (paper default with the demo): seeded, deterministic per seed.
- ``kline_replay``: recorded Binance kline closes from CSV files.
- ``binance``: Binance's public prices (testnet and live default).

``POST /api/v1/market/simulate`` pushes single prices through the same
``market_tick_publish`` path.
"""

