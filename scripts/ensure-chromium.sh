#!/bin/sh
# Installs Debian's Chromium for the browser tests when it is missing.
# Playwright drives it through executable_path; `playwright install` cannot download here.
set -e
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
echo "Installing Debian's chromium for the browser tests..."
if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
