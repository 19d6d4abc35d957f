"""A stand-in worker process for the cache test: reads a symbol per line on
stdin, answers with the resolved leverage and how many SQL queries it took."""

from __future__ import annotations

import json
import sys

import django


def main() -> None:
    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from configs_app.services import config_resolve

    print("ready", flush=True)
    for line in sys.stdin:
        with CaptureQueriesContext(connection) as queries:
            leverage = config_resolve(symbol=line.strip(), side="LONG")["leverage"]
        print(json.dumps({"leverage": leverage, "queries": len(queries)}), flush=True)


if __name__ == "__main__":
    main()
