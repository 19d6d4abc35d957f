"""``{% control_room as room %}`` for the admin index template."""

from __future__ import annotations

from typing import Any

from django import template

from petrosa.core.control_room import ControlRoom, control_room_for

register = template.Library()


@register.simple_tag(takes_context=True)
def control_room(context: dict[str, Any]) -> ControlRoom:
    return control_room_for(user=context["request"].user)


@register.filter
def age(seconds: int | None) -> str:
    """A waiting time an operator reads at a glance: 42s, 7m, 3h 05m, 2d 4h."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"
    return f"{seconds // 86400}d {seconds % 86400 // 3600}h"
