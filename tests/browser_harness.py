"""Headless Chromium for the browser tests (a helper: it holds no tests).

Selenium drives Debian's Chromium through Debian's chromedriver (packages ``chromium`` and ``chromium-driver``,
installed by .ci/run), never a browser or driver downloaded at run time. Each browser gets a fresh profile in a
temporary folder, and cannot reach the network: every host name resolves to nothing and any other request goes to
a proxy that is not there, so a request that would leave the machine fails at once, and is still recorded.

    from tests.browser_harness import browser, load, outside, axe_violations   # noqa: F401 (browser: a fixture)

    def test_the_home_page(browser, site):
        page = load(browser, site / "index.html")
        assert outside(page.requests, site) == []
        assert page.errors == []
        assert axe_violations(browser).get("critical", []) == []

``browser`` is a module-scoped fixture (one start-up per test module); ``browser_without_js`` is the same browser
with JavaScript turned off (as a site's visitor may have it). Both skip the test, saying why, only when Chromium or
its driver is not installed.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
MISSING = ("the browser tests need Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; "
           ".ci/run installs them)")

# No request leaves the machine: host names resolve to nothing (loopback names aside, for a local test server),
# and what has no name to resolve (an address) goes to a proxy on a port nothing listens on. Loopback addresses
# bypass the proxy, as Chromium does by default. The browser's own background traffic (updates, sync ...) is off.
FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost", "--proxy-server=http://127.0.0.1:9",
    "--no-first-run", "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
    "--disable-default-apps", "--disable-sync", "--disable-extensions", "--metrics-recording-only",
    "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
)


def missing() -> str | None:
    """Why no browser can be started here, or None."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.is_file():
            return f"{path} is not installed: {MISSING}"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed: pip install -e '.[test]'"
    return None


def start(profile: Path, *, javascript: bool = True):
    """A headless Chromium with a fresh profile in ``profile``, logging the console and the network."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    options.add_experimental_option("perfLoggingPrefs", {"enableNetwork": True, "enablePage": False})
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    # The driver is named, so Selenium Manager never looks for (or downloads) one.
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)  # axe on a long page
    driver.isa_javascript = javascript
    # Settle on a blank page, so the browser's own start-up page is not taken for the first test page's requests.
    driver.get("about:blank")
    _drain(driver)
    return driver


@dataclass
class Request:
    url: str
    type: str  # Document, Stylesheet, Script, Image, Font, Fetch ...
    failed: str | None = None  # Chromium's error (net::ERR_NAME_NOT_RESOLVED ...) when it did not load


@dataclass
class Page:
    """What loading a page showed: the console's messages and every request it made."""

    url: str
    console: list[dict] = field(default_factory=list)  # {"level": "SEVERE", "message": ..., "source": ...}
    requests: list[Request] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        """The console's errors (script errors, resources that failed to load, console.error)."""
        return [entry["message"] for entry in self.console if entry["level"] == "SEVERE"]

    @property
    def urls(self) -> list[str]:
        return [request.url for request in self.requests]


def _drain(driver) -> None:
    for log in ("browser", "performance"):
        driver.get_log(log)


def _requests(driver) -> list[Request]:
    requests: dict[str, Request] = {}
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message["method"] == "Network.requestWillBeSent":
            if params.get("documentURL", "").startswith(("chrome:", "chrome-untrusted:", "devtools:")):
                continue  # the browser's own pages (its new-tab page), never the network
            # A redirect sends the same request id again: each hop is a request of its own.
            key = params["requestId"] + ("" if params["requestId"] not in requests else f"#{len(requests)}")
            requests[key] = Request(params["request"]["url"], params.get("type", ""))
        elif message["method"] == "Network.loadingFailed" and params["requestId"] in requests:
            requests[params["requestId"]].failed = params.get("errorText") or "failed"
    return list(requests.values())


def load(driver, target: Path | str, *, settle: float = 0.0) -> Page:
    """Open ``target`` (a file, or a URL) and return what the page logged and requested while it loaded.

    Selenium returns once the page's load event has fired (images and scripts loaded or failed); ``settle`` waits
    that many seconds more, for what a script does later."""
    url = Path(target).resolve().as_uri() if isinstance(target, Path) else target
    _drain(driver)
    driver.get(url)
    if settle:
        import time

        time.sleep(settle)
    return Page(url, console=driver.get_log("browser"), requests=_requests(driver))


def outside(requests: list[Request], folder: Path) -> list[str]:
    """The requests that left ``folder``: any that is not a file under it (inline data: and blob: URLs and
    about:blank stay inside the page)."""
    root = Path(folder).resolve()
    out = []
    for request in requests:
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob") or request.url == "about:blank":
            continue
        if parts.scheme == "file" and parts.netloc in ("", "localhost"):
            path = Path(unquote(parts.path)).resolve()
            if path == root or root in path.parents:
                continue
        out.append(request.url)
    return out


def axe_script() -> str:
    """axe-core's axe.min.js, as the axe-core-python package ships it."""
    return resources.files("axe_core_python").joinpath("axe.min.js").read_text(encoding="utf-8")


def axe(driver, options: dict | None = None) -> dict:
    """Run axe-core on the page now open and return its whole result (violations, passes, incomplete ...).

    axe-core is JavaScript and waits on timers, which a browser without JavaScript never runs: check a page's
    accessibility in ``browser``, and what it shows without JavaScript by other means (its text, its links)."""
    if not getattr(driver, "isa_javascript", True):
        raise AssertionError("axe-core cannot run in a browser without JavaScript: use the `browser` fixture")
    driver.execute_script(axe_script())
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, arguments[0]).then(done, e => done({error: String(e)}));", options or {})


def axe_violations(driver, options: dict | None = None) -> dict[str, list[dict]]:
    """axe-core's violations on the page now open, by impact (critical, serious, moderate, minor): each with its
    rule id, help text and the elements (CSS selectors) that break it."""
    result = axe(driver, options)
    if "error" in result:
        raise AssertionError(f"axe-core failed: {result['error']}")
    by_impact: dict[str, list[dict]] = {}
    for violation in result["violations"]:
        by_impact.setdefault(violation["impact"] or "unknown", []).append({
            "id": violation["id"], "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]]})
    return by_impact


@contextlib.contextmanager
def running(*, javascript: bool = True):
    """A browser for the ``with`` block, quit (and its profile removed) after it."""
    profile = Path(tempfile.mkdtemp(prefix="isa-chromium-"))
    driver = None
    try:
        driver = start(profile, javascript=javascript)
        yield driver
    finally:
        if driver is not None:
            driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _fixture(javascript: bool):
    reason = missing()
    if reason:
        pytest.skip(reason)
    with running(javascript=javascript) as driver:
        yield driver


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium for the test module (skipped, saying why, where Chromium is not installed)."""
    yield from _fixture(True)


@pytest.fixture(scope="module")
def browser_without_js():
    """The same browser with JavaScript turned off."""
    yield from _fixture(False)
