#!/usr/bin/env bash
# Make sure headless Chromium (Debian's package) is present for the browser tests.
# The tests use /usr/bin/chromium through Playwright; Playwright's own browser download is not used.
# Installs it with apt-get when missing and running as root; otherwise says what to do and exits 0
# (the browser tests then skip themselves with that reason).
set -euo pipefail

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ -x "$CHROMIUM" ]; then
  echo "Chromium présent : $("$CHROMIUM" --version 2>/dev/null | head -1)"
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Chromium absent : installation du paquet Debian chromium…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  echo "Chromium installé : $("$CHROMIUM" --version 2>/dev/null | head -1)"
else
  echo "Chromium absent ($CHROMIUM) : installez-le (sudo apt-get install -y chromium)." >&2
  echo "Sans lui, les tests navigateur (tests/browser) sont ignorés." >&2
fi
