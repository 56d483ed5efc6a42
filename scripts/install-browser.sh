#!/usr/bin/env bash
# The headless browser of the run-page test (tests/browser): Debian's chromium and its matching
# chromedriver, installed from the system packages when either is missing. Needs root (CI is root);
# without root or apt-get it says why and exits 0, and the browser tests skip with that reason.
set -euo pipefail

if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
    exit 0
fi
if [[ "$(id -u)" != 0 ]]; then
    echo "install-browser: not root, cannot install chromium and chromium-driver" >&2
    exit 0
fi
if ! command -v apt-get >/dev/null; then
    echo "install-browser: no apt-get on this machine, cannot install chromium and chromium-driver" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# a fresh container has no package lists yet; an update that fails (offline) leaves the install to try the cache
apt-get update -qq || echo "install-browser: apt-get update failed, trying the cached package lists" >&2
apt-get install -y -qq --no-install-recommends chromium chromium-driver
