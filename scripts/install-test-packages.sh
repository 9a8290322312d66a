#!/usr/bin/env bash
# Installs the Debian packages the tests read (nothing is downloaded at test time):
#   libonnx-testdata  ONNX's backend test cases, for the fine-tuning translator's conformance test.
#   chromium          headless rendering of the job report.
#   dataset-fashion-mnist  all of Fashion-MNIST (IDX): the strategy advisor's "many more images" case.
#   prometheus        a real Prometheus (and promtool) scraping a running pool.
#   kubectl           `kubectl kustomize` renders k8s/ overlays; nodejs, npm: the manifest schema check
#                     (k8s/validate, its npm packages installed below from the npm registry).
# Skips what is installed already; uses sudo when not root.
set -euo pipefail
packages=(libonnx-testdata dataset-fashion-mnist chromium prometheus kubectl nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Tools already on PATH (e.g. node from nvm, kubectl from elsewhere) count as present.
for tool in kubectl node npm; do
  if command -v "$tool" >/dev/null 2>&1; then
    case "$tool" in node) drop=nodejs ;; *) drop=$tool ;; esac
    missing=("${missing[@]/$drop}")
  fi
done
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if [ ${#missing[@]} -eq 0 ]; then
  echo "test packages present: ${packages[*]}"
else
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# The manifest validator's npm packages, pinned by k8s/validate/package-lock.json.
(cd "$(dirname "$0")/../k8s/validate" && npm ci --no-audit --no-fund --silent)
