"""The LLM advisor against a real, local OpenAI-compatible HTTP server run by
the test: what it sends, how it treats the answer as untrusted, and how an
outage or a missing configuration is reported. No other endpoint is called."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from petrosa.core.market import price_set
from signals_app.models_ideas import TradeIdea
from tests.operators import make_operator, open_long, token_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("prices")]


class FakeCompletions(BaseHTTPRequestHandler):
    answer: dict[str, Any] = {}
    status = 200
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers["Content-Length"])
        type(self).received.append(
            {"path": self.path, "auth": self.headers.get("Authorization"), "body": json.loads(self.rfile.read(length))}
        )
        content = json.dumps({"choices": [{"message": {"role": "assistant", "content": json.dumps(self.answer)}}]})
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(content.encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def llm(settings: SettingsWrapper) -> Iterator[type[FakeCompletions]]:
    handler = type("Handler", (FakeCompletions,), {"received": [], "answer": {}, "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.AI_LLM_URL = f"http://127.0.0.1:{server.server_port}/v1"
    settings.AI_LLM_API_KEY = "sk-local-test"
    settings.AI_LLM_MODEL = "local-model"
    settings.AI_LLM_TIMEOUT_SECONDS = 2
    yield handler
    server.shutdown()
    server.server_close()


def analyze(**body: Any) -> Any:
    return token_client(make_operator("tina", role="trader")).post(
        "/api/v1/ai/analyze", {"advisor": "llm", **body}, format="json"
    )


def test_the_model_gets_the_portfolio_and_its_valid_ideas_are_saved(llm: type[FakeCompletions]) -> None:
    open_long("ETHUSDT", "2", "3000")
    price_set(symbol="ETHUSDT", price=Decimal("3100"), source="test")
    llm.answer = {
        "ideas": [
            {"symbol": "ETHUSDT", "action": "close", "side": "LONG", "confidence": 0.7,
             "rationale": "Lock in the gain before the weekend.", "risk_notes": "May miss upside."},
            {"symbol": "BTCUSDT", "action": "buy", "confidence": 0.65, "rationale": "Breakout above range."},
            {"symbol": "XRPUSDT", "action": "buy", "confidence": 0.9, "rationale": "Not in the input."},
            {"symbol": "ETHUSDT", "action": "short_everything", "confidence": 0.9, "rationale": "No."},
            {"symbol": "BTCUSDT", "action": "sell", "confidence": 7, "rationale": "Out of range."},
        ],
        "notes": ["Markets are thin."],
    }  # fmt: skip
    response = analyze(symbols=["BTCUSDT"])

    assert response.status_code == 201, response.content
    body = response.json()
    assert [(i["symbol"], i["action"], i["advisor"]) for i in body["ideas"]] == [
        ("ETHUSDT", "close", "llm"), ("BTCUSDT", "buy", "llm")
    ]  # fmt: skip
    assert body["model"] == "local-model" and body["notes"][0] == "Markets are thin."
    assert len([n for n in body["notes"] if n.startswith("Dropped")]) == 3
    [request] = llm.received
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer sk-local-test"
    assert request["body"]["model"] == "local-model"
    sent = json.loads(request["body"]["messages"][1]["content"])
    assert sent["positions"][0]["symbol"] == "ETHUSDT" and sent["prices"]["BTCUSDT"] == "50000"
    assert TradeIdea.objects.filter(advisor="llm", advisor_model="local-model").count() == 2


def test_an_error_from_the_model_is_a_503_and_saves_nothing(llm: type[FakeCompletions]) -> None:
    llm.status = 500
    response = analyze()
    assert response.status_code == 503 and response.json()["error"]["code"] == "advisor_unavailable"
    assert not TradeIdea.objects.exists()


def test_an_unreachable_model_is_a_503(llm: type[FakeCompletions], settings: SettingsWrapper) -> None:
    settings.AI_LLM_URL = "http://127.0.0.1:9/v1"  # discard port: nothing listens
    response = analyze()
    assert response.status_code == 503 and response.json()["error"]["code"] == "advisor_unavailable"


def test_without_a_configured_model_the_llm_advisor_is_a_422(settings: SettingsWrapper) -> None:
    settings.AI_LLM_URL = ""
    response = analyze()
    assert response.status_code == 422 and response.json()["error"]["code"] == "advisor_not_configured"
