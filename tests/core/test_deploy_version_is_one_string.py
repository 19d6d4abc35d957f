"""One version string, shown by /version with the build's commit and date."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Iterator

import pytest
from django.conf import settings
from django.test import Client

from petrosa.core.version import __version__, build_info

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def fresh_build_info() -> Iterator[None]:
    build_info.cache_clear()
    yield
    build_info.cache_clear()


def test_every_place_reads_the_one_version() -> None:
    assert settings.PETROSA_VERSION == __version__
    assert settings.SPECTACULAR_SETTINGS["VERSION"] == __version__
    assert tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"] == __version__


def test_version_shows_the_image_build(client: Client, fresh_build_info: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_COMMIT", "0123456789abcdef0123456789abcdef01234567")
    monkeypatch.setenv("BUILD_DATE", "2026-01-02T03:04:05Z")
    body = client.get("/version").json()
    assert body["version"] == __version__
    assert body["git_commit"] == "0123456789abcdef0123456789abcdef01234567"
    assert body["build_date"] == "2026-01-02T03:04:05Z"


def test_a_checkout_without_build_args_reads_git(fresh_build_info: None, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GIT_COMMIT", "PETROSA_GIT_COMMIT", "BUILD_DATE", "PETROSA_BUILD_DATE"):
        monkeypatch.delenv(name, raising=False)
    info = build_info()
    if (REPO / ".git").exists():
        assert len(info.git_commit) == 40 and int(info.git_commit, 16) >= 0
        assert info.build_date[:2] == "20"
    else:  # an exported tree: honest about not knowing
        assert (info.git_commit, info.build_date) == ("unknown", "unknown")


def test_service_info_is_public_and_says_only_what_runs(client: Client) -> None:
    body = client.get("/").json()
    assert body["service"] == "petrosa-control-plane" and body["version"] == __version__
    assert body["links"]["health"] == "/health" and body["links"]["metrics"] == "/metrics"
    assert "trading_mode" not in body
