#!/usr/bin/env bash
# Installs what the tests need beyond npm packages: Debian's Chromium, which the web client's browser
# tests drive through playwright-core (never a browser downloaded by a package). Idempotent.
set -euo pipefail
# The emoji font lets screenshots of the safety-number screen show its emoji rather than empty boxes.
if [ ! -x /usr/bin/chromium ] || ! dpkg -s fonts-noto-color-emoji >/dev/null 2>&1; then
  apt_get="apt-get"
  if [ "$(id -u)" -ne 0 ]; then apt_get="sudo -n apt-get"; fi
  $apt_get update -qq
  DEBIAN_FRONTEND=noninteractive $apt_get install -y -qq --no-install-recommends chromium fonts-noto-color-emoji
fi
