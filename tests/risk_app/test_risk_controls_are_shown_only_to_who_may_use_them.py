"""A viewer sees the risk state but not the kill-switch or re-arm buttons; a risk
officer sees both (the views refuse the viewer too: test_roles_each_role_...)."""

from __future__ import annotations

import pytest

from tests.operators import make_operator, session_client

pytestmark = pytest.mark.django_db
URL = "/admin/risk_app/riskstate/"


@pytest.mark.parametrize(("role", "shown"), [("viewer", False), ("reviewer", False), ("risk officer", True)])
def test_controls_follow_permissions(role: str, shown: bool) -> None:
    page = session_client(make_operator(role.replace(" ", "_"), role=role, password=None)).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Applied mode" in html  # everyone with a role sees the state
    assert ("/admin/risk_app/riskstate/kill-switch/" in html) is shown
    assert ("/admin/risk_app/riskstate/breaker-rearm/" in html) is shown


@pytest.mark.parametrize(("role", "shown"), [("viewer", False), ("trader", False), ("reviewer", True)])
def test_the_review_button_is_only_for_reviewers(role: str, shown: bool) -> None:
    from signals_app.models import SignalStatus
    from tests.factories import SignalFactory, make_strategy

    signal = SignalFactory(strategy=make_strategy("trend_v1").strategy, status=SignalStatus.PENDING_REVIEW)
    page = session_client(make_operator(role, role=role, password=None)).get("/admin/signals_app/signalreview/")
    assert page.status_code == 200 and f">{signal.pk}<" in page.content.decode()
    assert (f"/admin/signals_app/signalreview/{signal.pk}/review/" in page.content.decode()) is shown
