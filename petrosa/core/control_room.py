"""The control room: what needs a human now, for the admin index.

petrosa.core sits below every app, so it reads their models through the app
registry instead of importing them. A model that does not exist (yet) is left
out instead of failing the admin. Every item names the admin list it comes
from, and is shown only to users who may view that list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.db.models import Count, Min, Model, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

REJECTIONS_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class RoomItem:
    label: str
    count: int
    url: str = ""
    oldest: datetime | None = None
    detail: str = ""

    @property
    def age_seconds(self) -> int | None:
        return None if self.oldest is None else int((timezone.now() - self.oldest).total_seconds())


@dataclass
class ControlRoom:
    reviews: list[RoomItem] = field(default_factory=list)
    risk: list[RoomItem] = field(default_factory=list)
    reconciliation: list[RoomItem] = field(default_factory=list)
    rejections: list[RoomItem] = field(default_factory=list)
    has_reconciliation_model: bool = False

    @property
    def needs_attention(self) -> int:
        return sum(item.count for item in (*self.reviews, *self.reconciliation))


def _model(app_label: str, name: str) -> type[Model] | None:
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def _may_view(user: Any, model: type[Model]) -> bool:
    opts = model._meta
    return any(user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}") for action in ("view", "change"))


def _changelist(model: type[Model], query: dict[str, str] | None = None, *, name: str | None = None) -> str:
    opts = model._meta
    try:
        url = reverse(f"admin:{opts.app_label}_{name or opts.model_name}_changelist")
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode(query)}" if query else url


def _reviews(user: Any) -> list[RoomItem]:
    items = []
    signal = _model("signals_app", "Signal")
    if signal is not None and (user.has_perm("signals_app.review_signal") or _may_view(user, signal)):
        stats = signal.objects.filter(status="pending_review").aggregate(n=Count("id"), oldest=Min("received_at"))
        items.append(RoomItem("Signals in conflict, waiting for review", stats["n"],
                              _changelist(signal, name="signalreview"), stats["oldest"]))  # fmt: skip
    idea = _model("signals_app", "TradeIdea")
    if idea is not None and (user.has_perm("signals_app.review_tradeidea") or _may_view(user, idea)):
        pending = idea.objects.filter(status="pending", expires_at__gt=timezone.now())
        stats = pending.aggregate(n=Count("id"), oldest=Min("created_at"))
        items.append(RoomItem("AI trade ideas, waiting for review", stats["n"],
                              _changelist(idea, {"status__exact": "pending"}), stats["oldest"]))  # fmt: skip
    return items


def _risk(user: Any) -> list[RoomItem]:
    state_model = _model("risk_app", "RiskState")
    if state_model is None or not _may_view(user, state_model):
        return []
    state = state_model.objects.filter(pk=1).first()
    mode = getattr(state, "mode", "active")
    url = _changelist(state_model)
    items = [RoomItem(f"Kill switch: {mode}", 0 if mode == "active" else 1, url, None,
                      getattr(state, "reason", "") or "")]  # fmt: skip
    if hasattr(state_model, "breaker_tripped"):
        tripped = bool(getattr(state, "breaker_tripped", False))
        detail = getattr(state, "breaker_detail", None) or {}
        items.append(RoomItem("Daily-loss breaker: " + ("TRIPPED" if tripped else "armed"), int(tripped), url,
                              getattr(state, "breaker_tripped_at", None) if tripped else None,
                              ", ".join(f"{k} {v}" for k, v in detail.items()) if tripped else ""))  # fmt: skip
    return items


def _open_rows(model: type[Model]) -> tuple[Q, dict[str, str]] | None:
    """Unresolved rows, and the admin list filter that shows the same rows."""
    names = {f.name for f in model._meta.get_fields()}
    if "resolved_at" in names:
        return Q(resolved_at__isnull=True), {"resolved_at__isnull": "True"}
    if "resolved" in names:
        return Q(resolved=False), {"resolved__exact": "0"}
    return None


def _reconciliation(user: Any) -> tuple[bool, list[RoomItem]]:
    """Reconciliation differences, and open position flags (protection missing)."""
    found = False
    items = []
    for model in apps.get_app_config("execution_app").get_models() if apps.is_installed("execution_app") else []:
        name = model.__name__.lower()
        if "reconcil" not in name and name != "positionflag":
            continue
        found = found or "reconcil" in name
        open_rows = _open_rows(model)
        if open_rows is None or not _may_view(user, model):
            continue
        condition, query = open_rows
        date_field = "created_at" if "created_at" in {f.name for f in model._meta.get_fields()} else None
        rows = model.objects.filter(condition)
        stats = rows.aggregate(n=Count("pk"), **({"oldest": Min(date_field)} if date_field else {}))
        items.append(RoomItem(str(model._meta.verbose_name_plural).capitalize() + " (open)", stats["n"],
                              _changelist(model, query), stats.get("oldest")))  # fmt: skip
    return found, items


def _rejections(user: Any) -> list[RoomItem]:
    signal = _model("signals_app", "Signal")
    if signal is None or not _may_view(user, signal):
        return []
    since = timezone.now() - REJECTIONS_WINDOW
    rows = (
        signal.objects.filter(status="rejected", updated_at__gte=since)
        .values("status_reason")
        .annotate(n=Count("id"), oldest=Min("updated_at"))
        .order_by("-n", "status_reason")
    )
    return [
        RoomItem(row["status_reason"] or "(no reason)", row["n"],
                 _changelist(signal, {"status__exact": "rejected", "status_reason": row["status_reason"]}),
                 row["oldest"])  # fmt: skip
        for row in rows[:10]
    ]


def control_room_for(*, user: Any) -> ControlRoom:
    found, reconciliation = _reconciliation(user)
    return ControlRoom(
        reviews=_reviews(user),
        risk=_risk(user),
        reconciliation=reconciliation,
        rejections=_rejections(user),
        has_reconciliation_model=found,
    )
