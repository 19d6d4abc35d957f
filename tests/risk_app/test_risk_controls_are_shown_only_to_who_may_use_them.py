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
