#!/usr/bin/env bash
# Installs the Debian 12 packages MicroMind builds and runs with. Idempotent:
# does nothing (and needs no root) when everything is already installed.
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build pkg-config
  libtorch-dev libsentencepiece-dev libsqlite3-dev nlohmann-json3-dev libgtest-dev
  libcpp-httplib-dev
  libopenblas0-pthread
  python3-torch
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
