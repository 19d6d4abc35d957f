"""A Binance-compatible HTTP server over the paper exchange engine.

python-binance, pointed at it, cannot tell it from Binance: the same spot
(``/api/v3``) and USD-M futures (``/fapi/v1|v2|v3``) paths, API key and HMAC
signature checks, timestamp and recvWindow, parameters from the query and
from form bodies (DELETE too), Binance's response shapes, error codes and
HTTP statuses, ``X-MBX-USED-WEIGHT-1M`` and 429/418 past the weight budget.
The orders, balances and positions are the paper engine's; this package only
speaks HTTP (``app.py``), signs (``signing.py``), counts weight
(``limits.py``) and, in tests only, injects faults (``faults.py``).

Start it with ``manage.py paper_exchange_server --port 8765``.
"""
