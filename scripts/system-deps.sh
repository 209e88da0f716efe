#!/usr/bin/env bash
# Install the Debian packages the test suite needs, when missing.
# mosquitto: the MQTT ingest tests start their own broker (the system service is not used).
set -euo pipefail
PACKAGES=(mosquitto)   # grows: chromium chromium-driver for the dashboards
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
