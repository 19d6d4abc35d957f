"""The HTTP request as Binance reads it, and the responses it sends back."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

from execution_app.exchange.paper_engine.errors import PaperBinanceError

JSON_CONTENT_TYPE = "application/json;charset=UTF-8"


@dataclass
class WireRequest:
    """One request: method, path, the raw query and body (the signature covers
    them byte for byte) and the parameters read from both, query first."""

    method: str
    path: str
    query: str
    body: str
    headers: dict[str, str]
    client_ip: str
    params: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_environ(cls, environ: dict[str, Any]) -> WireRequest:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length).decode("utf-8", "replace") if length else ""
        headers = {
            key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        request = cls(
            method=environ["REQUEST_METHOD"].upper(),
            path=environ.get("PATH_INFO", "/") or "/",
            query=environ.get("QUERY_STRING", ""),
            body=body,
            headers=headers,
            client_ip=environ.get("REMOTE_ADDR", ""),
        )
        request.params = request._read_params()
        return request

    def _read_params(self) -> dict[str, str]:
        # Binance reads parameters from the query string and from a form body on
        # any method, DELETE included (python-binance cancels with a form body).
        # A parameter in both places: the query string wins.
        params: dict[str, str] = {}
        if self.body and "json" not in self.headers.get("content-type", ""):
            params.update(parse_qsl(self.body, keep_blank_values=True))
        params.update(parse_qsl(self.query, keep_blank_values=True))
        return params

    @property
    def api_key(self) -> str:
        return self.headers.get("x-mbx-apikey", "")

    def json_body(self) -> Any:
        try:
            return json.loads(self.body or "{}")
        except ValueError:
            raise PaperBinanceError(-1102, "Malformed JSON body.") from None


@dataclass
class WireResponse:
    status: int
    payload: Any
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        return json.dumps(self.payload, default=_json_default, separators=(",", ":")).encode()


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")  # Binance sends numbers as plain decimal strings
    raise TypeError(f"cannot encode {type(value).__name__}")


def error_response(error: PaperBinanceError, headers: dict[str, str] | None = None) -> WireResponse:
    return WireResponse(error.http_status, error.as_dict(), dict(headers or {}))


HTTP_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    418: "I'm a teapot",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
