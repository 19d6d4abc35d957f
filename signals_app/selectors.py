from __future__ import annotations

from django.db.models import QuerySet

from signals_app.models import Signal


def signals_visible_to(*, strategy_id: int | None, is_staff: bool) -> QuerySet[Signal]:
    """A strategy sees its own signals; staff see all; anyone else sees none."""
    queryset = Signal.objects.select_related("strategy")
    if strategy_id is not None:
        return queryset.filter(strategy_id=strategy_id)
    return queryset if is_staff else queryset.none()
