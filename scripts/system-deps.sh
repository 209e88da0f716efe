#!/usr/bin/env bash
# Install the Debian packages the test suite needs, when missing.
# The list grows with the product (mosquitto for MQTT ingest, chromium for dashboards).
set -euo pipefail
PACKAGES=()          # e.g. (mosquitto chromium chromium-driver)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
