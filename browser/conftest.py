"""The back office in a real browser: headless Chromium driven by Selenium against pytest-django's live server.

Debian's `chromium` and `chromium-driver` packages (.ci/run installs them); without them the suite is skipped and
the reason printed in the run's header. Screenshots at 1400 px go to var/screenshots/."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from django.conf import settings

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
WIDTH, HEIGHT, MAX_HEIGHT = 1400, 900, 3200


def _browser_binaries():
    chromium = os.environ.get("ERP_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    driver = os.environ.get("ERP_CHROMEDRIVER") or shutil.which("chromedriver")
    return chromium, driver


def browser_missing() -> str | None:
    chromium, driver = _browser_binaries()
    if not chromium or not driver:
        return "no headless browser: install Debian's chromium and chromium-driver (.ci/run does)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (requirements-dev.txt)"
    return None


def pytest_report_header(config):
    reason = browser_missing()
    return f"browser tests: {'skipped, ' + reason if reason else 'headless Chromium'}"


@pytest.fixture(scope="session")
def browser():
    reason = browser_missing()
    if reason:
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver = _browser_binaries()
    profile = tempfile.mkdtemp(prefix="erp-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        f"--window-size={WIDTH},{HEIGHT}",
    ):
        options.add_argument(flag)
    chrome = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    chrome.set_page_load_timeout(60)
    try:
        yield chrome
    finally:
        chrome.quit()
        shutil.rmtree(profile, ignore_errors=True)
