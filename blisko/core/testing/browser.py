"""Browser fixtures for every app's page tests: a real Chromium (a pytest plugin, registered
by the root conftest.py, so one browser serves the whole session).

The browser is Debian's Chromium driven by the `playwright` package (never a downloaded one).
Each page opens in a fresh context that refuses every request to another host, so a page
that needs the network fails its test: the site must work offline. Screenshots go to
`test-artifacts/` (gitignored), one for a phone and one for a desktop screen.
"""

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("BLISKO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
# How long a page may take to show what a test waits for (ms).
TIMEOUT_MS = 15_000


# --- the browser --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, for the whole session."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: apt install chromium", pytrace=False)
    # Playwright's sync API keeps an event loop in this thread; Django would then refuse the
    # tests' own database calls, which are plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class PageCheck:
    """What a page did that it should not: requests leaving the machine, script errors."""

    external_requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.external_requests == [], "the page asked another host"
        assert self.errors == [], "the page had script errors"


@dataclass
class BrowserPage:
    page: Any
    check: PageCheck
    base_url: str

    def open(self, path: str) -> Any:
        self.page.goto(self.base_url + path)
        return self.page

    def screenshot(self, name: str) -> list[Path]:
        """Save the page as a phone and as a desktop shows it: test-artifacts/<name>-*.png."""
        ARTIFACTS.mkdir(exist_ok=True)
        paths = []
        original = self.page.viewport_size
        for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
            self.page.set_viewport_size(size)
            self.page.wait_for_timeout(700)  # the map refits and redraws for the new size
            path = ARTIFACTS / f"{name}-{label}.png"
            self.page.screenshot(path=str(path), full_page=True)
            paths.append(path)
        self.page.set_viewport_size(original)
        return paths


@pytest.fixture
def browser_page(browser: Any, live_server: Any) -> Iterator[Callable[..., BrowserPage]]:
    """Open a page in a fresh Ukrainian-speaking browser (phone-sized unless told otherwise;
    optionally without JavaScript, or with a location to report).

    Requests to any host but the live server are refused and recorded; at the end of the test
    the page must have made none and thrown no script error.
    """
    from blisko.core.freshness import process_caches_clear

    # The live server's thread shares the per-process caches: start each test without them.
    process_caches_clear()
    contexts: list[Any] = []
    checks: list[PageCheck] = []
    host = urlsplit(live_server.url).netloc

    def make(
        *,
        viewport: dict[str, int] | None = None,
        locale: str = "uk-UA",
        javascript: bool = True,
        geolocation: tuple[float, float] | None = None,
    ) -> BrowserPage:
        options: dict[str, Any] = {}
        if geolocation is not None:
            lon, lat = geolocation
            options = {
                "geolocation": {"longitude": lon, "latitude": lat},
                "permissions": ["geolocation"],
            }
        context = browser.new_context(
            viewport=viewport or PHONE,
            locale=locale,
            extra_http_headers={"Accept-Language": f"{locale},{locale[:2]};q=0.9"},
            java_script_enabled=javascript,
            **options,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        check = PageCheck()
        checks.append(check)

        def route(route: Any) -> None:
            url = route.request.url
            if url.startswith(("data:", "blob:")) or urlsplit(url).netloc == host:
                route.continue_()
            else:
                check.external_requests.append(url)
                route.abort()

        context.route(re.compile(r".*"), route)
        page = context.new_page()
        page.on("pageerror", lambda error: check.errors.append(str(error)))
        return BrowserPage(page=page, check=check, base_url=live_server.url)

    yield make
    for context in contexts:
        context.close()
    process_caches_clear()
    for check in checks:
        check.assert_clean()
