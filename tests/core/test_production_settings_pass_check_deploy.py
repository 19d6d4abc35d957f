"""`manage.py check --deploy` passes with production settings: no warning at all."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

from tests.e2e.processes import REPO

PRODUCTION = {
    "PETROSA_PRODUCTION": "true",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "petrosa.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://petrosa.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/petrosa",
    "REDIS_URL": "redis://127.0.0.1:6379/14",
    "DEBUG": "false",
}


def test_check_deploy_reports_no_issues_in_production() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PETROSA_") and k not in PRODUCTION}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO, env={**env, **PRODUCTION}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_settings_are_the_secure_ones() -> None:
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS >= 31536000,"
        " s.DEBUG, s.LOG_FORMAT)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PETROSA_") and k not in PRODUCTION}
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=REPO,
        env={**env, **PRODUCTION, "DJANGO_SETTINGS_MODULE": "petrosa.settings"}, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "True", "False", "json"]
