"""A worker SIGKILLed between claiming an order and recording its result leaves no
duplicate and no lost order after redelivery.

Real processes: a Celery worker and beat on Redis, PostgreSQL underneath, the
paper exchange in the worker. The worker's test-only crash hook
(PETROSA_TEST_CRASH_AFTER_CLAIM / PETROSA_TEST_CRASH_AFTER_EXCHANGE_CALL,
execution_app/services/orders.py) SIGKILLs the process once, at one of the two
points where a crash is most dangerous:

* after the claim (SUBMITTING committed), before the exchange call: the order
  never reached the exchange. The lookup by client order id proves it, so it is
  sent (for the first time, under the same id): not lost.
* after the exchange accepted and filled it, before we recorded anything: the
  lookup by client order id finds it and records its fill: not sent twice.

Either way the end state is one order on the exchange, one Fill, one position.
"""

from __future__ import annotations

import signal as signals
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from configs_app.services import config_set_global
from execution_app.models import Fill, Order, OrderStatus
from execution_app.models_paper import PaperOrder
from petrosa.core.models import AuditEvent
from risk_app.models import Position
from signals_app.serializers import SignalInputSerializer
from signals_app.services.intake import signal_intake
from tests.e2e.processes import Process, start_beat, start_worker, wait_for
from tests.factories import StrategyWithKey

pytestmark = pytest.mark.usefixtures("prices")
CRASH_POINTS = ("PETROSA_TEST_CRASH_AFTER_CLAIM", "PETROSA_TEST_CRASH_AFTER_EXCHANGE_CALL")


@pytest.fixture(params=CRASH_POINTS)
def crashing_stack(request: pytest.FixtureRequest, subprocess_env: dict[str, str]) -> Iterator[tuple[Path, str]]:
    marker = Path(tempfile.mkdtemp(prefix="petrosa-crash-")) / "crashed"
    env = dict(subprocess_env)
    env.update(
        {request.param: str(marker)},
        PETROSA_ORDER_RECONCILE_AFTER_SECONDS="1",
        PETROSA_SWEEP_INTERVAL_SECONDS="1",
        PETROSA_SWEEP_STALE_AFTER_SECONDS="1",
        PETROSA_MARKET_FEED="off",
    )
    processes: list[Process] = []
    try:
        processes.append(start_worker(env, concurrency=1))
        processes.append(start_beat(env))
        yield marker, request.param
    finally:
        for process in reversed(processes):
            process.kill(signals.SIGTERM)


def test_a_killed_worker_leaves_one_order_and_one_fill(
    crashing_stack: tuple[Path, str], strategy: StrategyWithKey
) -> None:
    marker, point = crashing_stack
    config_set_global(parameters={"risk_management_enabled": False}, changed_by="test", reason="one order only")
    form = SignalInputSerializer(data={"symbol": "ETHUSDT", "action": "buy", "confidence": "0.9", "quantity": "0.05"})
    form.is_valid(raise_exception=True)
    signal = signal_intake(strategy=strategy.strategy, data=form.validated_data).signal  # commits: the worker takes it

    def settled() -> bool:
        order = Order.objects.filter(signal=signal).first()
        return order is not None and order.status == OrderStatus.FILLED

    wait_for(settled, timeout=90, what="the order to be filled after the crash")
    assert marker.exists(), "the worker never crashed: the test proved nothing"
    order = Order.objects.get(signal=signal)
    assert PaperOrder.objects.filter(client_order_id=order.client_order_id).count() == 1  # never sent twice
    fill = Fill.objects.get(order=order)  # recorded once
    assert (fill.quantity, fill.price) == (Decimal("0.05"), Decimal("3000"))
    assert Position.objects.get(symbol="ETHUSDT", side="LONG").quantity == Decimal("0.05")
    transitions = list(
        AuditEvent.objects.filter(entity_type="order", entity_id=str(order.pk)).order_by("id").values_list(
            "kind", "data__reason")
    )  # fmt: skip
    if point == "PETROSA_TEST_CRASH_AFTER_CLAIM":
        # claimed, crashed, found missing by client order id, sent under the same id, filled
        assert ("order.pending", "not_on_exchange_resubmit") in transitions
        assert [kind for kind, _ in transitions].count("order.submitting") == 2
    else:
        # claimed, filled on the exchange, crashed; the lookup recorded the fill: one claim only
        assert [kind for kind, _ in transitions] == ["order.submitting", "order.filled"]
        assert AuditEvent.objects.get(kind="order.filled", entity_id=str(order.pk)).actor == "reconciler"
