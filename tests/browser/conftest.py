"""A headless Chromium for the browser tests, driven through chromedriver (selenium).

The browser comes from the system packages (Debian's ``chromium`` and ``chromium-driver``):
``scripts/install-browser.sh`` installs them when missing; only where it cannot (not root, no
apt-get) are the tests skipped, with the reason shown.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INSTALL = Path(__file__).resolve().parents[2] / "scripts" / "install-browser.sh"

# Chromium as root in a container on a closed network: no sandbox, no GPU, and none of the
# background connections (QUIC, updates, sync, first-run pings) it would otherwise keep trying.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1000",
)


def _browser_present() -> bool:
    return CHROMIUM.exists() and CHROMEDRIVER.exists()


@pytest.fixture(scope="session")
def chromium_paths() -> tuple[Path, Path]:
    """(chromium, chromedriver), installing them on first use where the machine allows it."""
    if not _browser_present():
        done = subprocess.run(["bash", str(INSTALL)], capture_output=True, text=True, check=False)
        if not _browser_present():
            why = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            pytest.skip(
                f"no headless browser: {CHROMIUM} / {CHROMEDRIVER} missing and {INSTALL.name} said: {why[0]}"
            )
    return CHROMIUM, CHROMEDRIVER


@pytest.fixture()
def browser(chromium_paths: tuple[Path, Path], tmp_path: Path) -> Iterator[Any]:
    """A fresh headless Chromium with a new empty profile (no cookie outlives a test)."""
    webdriver = pytest.importorskip(
        "selenium.webdriver", reason="selenium is not installed (requirements/af3.in)"
    )
    chromium, chromedriver = chromium_paths
    options = webdriver.ChromeOptions()
    options.binary_location = str(chromium)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(
        options=options, service=webdriver.ChromeService(executable_path=str(chromedriver))
    )
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
