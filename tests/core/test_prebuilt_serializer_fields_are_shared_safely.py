"""The signal serializers build their fields once per class (the intake's hot
path), and sharing them must not let one request's data or errors leak into
another's, even from many threads at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from signals_app.serializers import SignalInputSerializer


def test_fields_are_built_once_per_class() -> None:
    assert SignalInputSerializer().fields is SignalInputSerializer().fields


def test_each_instance_keeps_its_own_data_and_errors() -> None:
    good = SignalInputSerializer(data={"symbol": "btcusdt", "action": "buy", "confidence": "0.7"})
    bad = SignalInputSerializer(data={"symbol": "??", "action": "buy", "confidence": "2"})
    assert good.is_valid(), good.errors
    assert not bad.is_valid()
    assert good.validated_data["symbol"] == "BTCUSDT"
    assert good.errors == {}
    assert set(bad.errors) == {"symbol", "confidence"}


def test_concurrent_validation_never_mixes_requests() -> None:
    def validate(index: int) -> tuple[int, Decimal | None, bool]:
        valid = index % 3 != 0
        confidence = f"0.{index:04d}" if valid else "7"
        serializer = SignalInputSerializer(data={"symbol": "ETHUSDT", "action": "sell", "confidence": confidence})
        ok = serializer.is_valid()
        return index, serializer.validated_data.get("confidence") if ok else None, ok

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(validate, range(1, 400)))
    for index, confidence, ok in results:
        assert ok == (index % 3 != 0)
        if ok:
            assert confidence == Decimal(f"0.{index:04d}")
