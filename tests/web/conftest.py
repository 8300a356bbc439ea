"""Browser fixtures: Debian's Chromium driven by the ``playwright`` package (no browser download).

The tests skip, saying why, where the package or the browser cannot be had. Screenshots of each step go
to ``$OPENPRODUCER_TEST_ARTIFACTS/studio/`` (default ``test-artifacts/studio/`` in the repository).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root on CI
    "--autoplay-policy=no-user-gesture-required",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
# The browser logs every 4xx answer; the tests provoke 400s (validation) and 401s (a wrong key) on purpose.
_EXPECTED = re.compile(r"Failed to load resource: the server responded with a status of (400|401|403|429)")
PHONE = {"width": 390, "height": 844}


def chromium_path() -> str | None:
    """OPENPRODUCER_CHROMIUM, else Debian's /usr/bin/chromium, else a chromium on PATH."""
    for candidate in (os.environ.get("OPENPRODUCER_CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (it is in the test extra: pip install -e '.[test]')")
    path = chromium_path()
    if path is None:
        pytest.skip("Chromium not found at /usr/bin/chromium (apt-get install chromium; `make test` installs it, "
                    "or set OPENPRODUCER_CHROMIUM)")
    manager = sync_playwright().start()
    try:
        browser = manager.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
    except Exception as exc:  # a browser that cannot start is an environment problem, not a page bug
        manager.stop()
        pytest.skip(f"Chromium at {path} did not start: {str(exc).splitlines()[0]}")
    yield browser
    browser.close()
    manager.stop()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    root = Path(os.environ.get("OPENPRODUCER_TEST_ARTIFACTS") or Path(__file__).resolve().parents[2] / "test-artifacts")
    folder = root / "studio"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Shots:
    """Numbered screenshots of one test's steps: ``<artifacts>/<prefix>-NN-<step>.png``."""

    def __init__(self, folder: Path, prefix: str) -> None:
        self.folder = folder
        self.prefix = prefix
        self.count = 0
        for old in folder.glob(f"{prefix}-*.png"):
            old.unlink()

    def __call__(self, page: Any, step: str, full_page: bool = True) -> Path:
        self.count += 1
        path = self.folder / f"{self.prefix}-{self.count:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path


@pytest.fixture()
def shots(request: pytest.FixtureRequest, artifacts: Path) -> Shots:
    return Shots(artifacts, re.sub(r"\W+", "-", request.node.name.removeprefix("test_")).strip("-")[:48])


@pytest.fixture()
def open_page(chromium: Any) -> Iterator[Callable[..., Any]]:
    """open_page(url, viewport=DESKTOP, csp=False, **context options) -> a page; JavaScript errors fail the test.

    Playwright's waiting helpers evaluate strings, which the page's Content-Security-Policy forbids, so
    the CSP is bypassed unless ``csp=True`` (test_csp_allows_the_page_itself runs with it enforced)."""
    contexts: list[Any] = []
    errors: list[str] = []

    def open_(url: str, viewport: dict[str, int] = DESKTOP, csp: bool = False, **options: Any) -> Any:
        context = chromium.new_context(viewport=viewport, bypass_csp=not csp, accept_downloads=True, **options)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{error}"))
        page.on("console", lambda message: errors.append(message.text)
                if message.type == "error" and not _EXPECTED.search(message.text) else None)
        page.set_default_timeout(30_000)
        page.goto(url)
        return page

    open_.errors = errors  # type: ignore[attr-defined]
    yield open_
    for context in contexts:
        context.close()
    assert not errors, f"the page logged errors: {errors}"


def use_key(page: Any, key: str, credits: int) -> None:
    """Type the key into the page and wait for the balance it shows."""
    from playwright.sync_api import expect

    page.locator("#api-key").fill(key)
    page.get_by_role("button", name="Use key").click()
    expect(page.locator("#credit-balance")).to_have_text(str(credits))
