#!/usr/bin/env bash
# Install the Debian packages the test suite needs, when missing.
# mosquitto: the MQTT ingest tests start their own broker (the system service is not used).
# chromium: the dashboard tests drive Debian's browser headless (no browser download).
# poppler-utils: the report tests read the PDF's structure tree and language with pdfinfo.
# libpango: WeasyPrint prints the report's PDF with Pango (also needed by `make demo`,
# which calls this script with --runtime: only what the product itself needs).
set -euo pipefail
RUNTIME=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)
PACKAGES=("${RUNTIME[@]}" mosquitto chromium poppler-utils)   # poppler-utils: pdfinfo reads the report's tags
if [ "${1:-}" = "--runtime" ]; then
  PACKAGES=("${RUNTIME[@]}")
fi
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
[ "${1:-}" = "--runtime" ] && exit 0

# npm: the accessibility tests inject axe-core (an npm package) into the pages. Debian's
# nodejs/npm unless a node with npm is already installed (e.g. from NodeSource).
if ! command -v npm >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm
fi
AXE_VERSION=4.14.1
AXE_DIR="$(cd "$(dirname "$0")/.." && pwd)/.cache/node"
if [ ! -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ] || \
   ! grep -q "\"version\": \"$AXE_VERSION\"" "$AXE_DIR/node_modules/axe-core/package.json"; then
  mkdir -p "$AXE_DIR"
  npm install --silent --no-audit --no-fund --prefix "$AXE_DIR" "axe-core@$AXE_VERSION"
fi
