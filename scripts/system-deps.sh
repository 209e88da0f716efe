#!/usr/bin/env bash
# Install the Debian packages the test suite needs, when missing.
# mosquitto: the MQTT ingest tests start their own broker (the system service is not used).
# chromium: the dashboard tests drive Debian's browser headless (no browser download).
set -euo pipefail
PACKAGES=(mosquitto chromium)   # chromium: the dashboard tests drive it with Playwright
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
