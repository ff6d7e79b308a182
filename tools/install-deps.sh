#!/usr/bin/env bash
# Installs what millet needs to build and test, from Debian 12 packages and the
# npm registry only. Idempotent: installs nothing when everything is present.
set -euo pipefail

APT_PACKAGES=(
  # build
  cmake ninja-build g++ pkg-config make
  # libraries
  libboost1.81-dev libboost-json1.81-dev librocksdb-dev libssl-dev libsodium-dev
  libspdlog-dev libfmt-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev libmosquitto-dev
  libjemalloc-dev
  # real peers for the tests
  mosquitto mosquitto-clients python3 python3-paho-mqtt python3-yaml openssl nodejs npm
  # the web app's tests, in a real browser (driven by npm playwright-core)
  chromium
  # a Chinese font, so the browser shows (and screenshots) the assistant's Chinese
  fonts-wqy-microhei
  # fuzzing (libFuzzer) and sanitizers
  clang libclang-rt-14-dev
)

missing=()
for package in "${APT_PACKAGES[@]}"; do
  case "$package" in
    # A newer Node.js outside dpkg (e.g. /usr/bin/node from nodesource) serves as well.
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages and not root; run as root or install: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm packages (the web app's build, MQTT.js and playwright-core for the tests): installed
# from each lock file, again whenever the lock file changed since the last install.
for dir in "$@"; do
  if [ -f "$dir/package-lock.json" ] &&
     { [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; }; then
    # `npm install` with the lock file installs exactly its versions. Not `npm ci`: it refuses
    # a lock file without the other platforms' optional packages (rollup's and esbuild's
    # binaries), which the registry here does not offer, so a lock file made here lacks them.
    echo "install-deps: npm install (from the lock file) in $dir"
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
  fi
done
