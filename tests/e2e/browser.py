"""Playwright driving Debian's Chromium for the browser tests.

Playwright cannot download its own browser here, so the system Chromium is
used; the fixture installs it with apt-get when running as root and it is
missing, so `make test` works on a fresh machine. Screenshots go to
test-output/browser/ (ignored by git); with PETROSA_UPDATE_DOCS_SCREENSHOTS=1
the ones the README shows are also copied to docs/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Page, async_playwright

from tests.e2e.processes import REPO
from tests.operators import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / "test-output" / "browser"
DOCS = REPO / "docs"
LAUNCH_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"]


def chromium_ensure() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.fail("The browser tests need Debian's Chromium: apt-get install chromium (as root)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env, stdout=subprocess.DEVNULL)
    return CHROMIUM


@pytest_asyncio.fixture
async def page() -> AsyncIterator[Page]:
    """A fresh Chromium per test. Playwright's async API shares pytest-asyncio's
    loop; the test reaches Django through database_sync_to_async, so ORM calls
    and after-commit broadcasts run in worker threads, never on the loop."""
    executable = chromium_ensure()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(executable), args=LAUNCH_ARGS)
        context = await browser.new_context(viewport={"width": 1400, "height": 900})
        opened = await context.new_page()
        opened.set_default_timeout(15000)
        yield opened
        await browser.close()


async def log_in(page: Page, base_url: str, username: str, *, next_path: str = "/admin/") -> None:
    """Through the admin's login form, as a person would."""
    await page.goto(f"{base_url}/admin/login/?next={next_path}")
    await page.fill("#id_username", username)
    await page.fill("#id_password", PASSWORD)
    await page.click("input[type=submit]")
    await page.wait_for_url(f"{base_url}{next_path}*")


async def screenshot(page: Page, name: str, *, docs_name: str | None = None, **options: Any) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), **options)
    assert path.stat().st_size > 10_000, f"{path} looks empty"
    if docs_name and os.environ.get("PETROSA_UPDATE_DOCS_SCREENSHOTS") == "1":
        shutil.copyfile(path, DOCS / docs_name)
    return path
