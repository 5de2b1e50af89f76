#!/usr/bin/env bash
# Installs the Debian 12 packages MicroMind builds and runs with. Idempotent:
# does nothing (and needs no root) when everything is already installed.
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build pkg-config
  libtorch-dev libsentencepiece-dev libsqlite3-dev nlohmann-json3-dev libgtest-dev
  libcpp-httplib-dev
  libgloo-dev
  libopenblas0-pthread libopenblas0-openmp
  python3-torch
  # The workbench: Qt 6 Widgets + Charts + Svg, Linguist tools, CJK fonts.
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev qt6-svg-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
  fonts-noto-cjk
  # The embedded demo's corpus (GPL-3.0+, stays a Debian package) and packaging.
  fortunes-zh dpkg-dev file
  # scripts/fuzz.sh: libFuzzer with ASan/UBSan.
  clang libclang-rt-14-dev
  # scripts/check-format.sh (CI): the sources as .clang-format writes them.
  clang-format
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
