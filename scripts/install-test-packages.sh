#!/usr/bin/env bash
# Installs the Debian packages the tests read (nothing is downloaded at test time):
#   libonnx-testdata  ONNX's backend test cases, for the fine-tuning translator's conformance test.
#   chromium          headless rendering of the job report.
#   prometheus        a real Prometheus (and promtool) scraping a running pool.
# Skips what is installed already; uses sudo when not root.
set -euo pipefail
packages=(libonnx-testdata chromium prometheus)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "test packages present: ${packages[*]}"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
