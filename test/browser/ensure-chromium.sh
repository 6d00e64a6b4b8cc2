#!/bin/sh
# Installs Debian's chromium for the browser tests, only when /usr/bin/chromium is missing.
# Bounded: apt-get gets CHROMIUM_INSTALL_TIMEOUT seconds (default 600) in all.
set -eu
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
LIMIT="${CHROMIUM_INSTALL_TIMEOUT:-600}"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "ensure-chromium: $CHROMIUM is missing and this user can neither install packages (not root) nor sudo without a password; install it with: apt-get install -y chromium" >&2
  exit 1
fi
echo "ensure-chromium: installing Debian's chromium (once; about a minute)" >&2
export DEBIAN_FRONTEND=noninteractive
# The package lists may be missing or stale on a fresh machine: refresh them if the package is unknown.
if ! apt-cache show chromium >/dev/null 2>&1; then
  $SUDO timeout "$LIMIT" apt-get update -q >&2
fi
$SUDO timeout "$LIMIT" apt-get install -y -q --no-install-recommends chromium >&2
if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: apt-get finished but $CHROMIUM is still missing" >&2
  exit 1
fi
