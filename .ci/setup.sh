#!/usr/bin/env bash
# Installs the build and test tools of sociapp-auth that are missing, and
# leaves alone those already present. Safe to run any number of times.
#
# Needs: rustup + cargo, node + npm, and apt-get (Debian) for Chromium and
# Firefox ESR.
# Prints one line per item: "setup: <item>: present|installing|installed ...".
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
case ":$PATH:" in
  *":$CARGO_BIN:"*) ;;
  *) export PATH="$CARGO_BIN:$PATH" ;;
esac

WASM_TARGET=wasm32-unknown-unknown
# Installed only when no wasm-pack is on PATH (any version is then accepted).
WASM_PACK_VERSION=0.15.1
# Installed only when no geckodriver is on PATH.
GECKODRIVER_VERSION=0.37.1

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install $* by hand"
  if [ "$APT_UPDATED" -eq 0 ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

require_tools() {
  local tool
  for tool in rustup cargo node npm; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found on PATH (this script needs the Rust toolchain and node/npm)"
  done
}

setup_wasm_target() {
  if rustup target list --installed | grep -qx "$WASM_TARGET"; then
    say "rust target $WASM_TARGET: present"
  else
    say "rust target $WASM_TARGET: installing"
    rustup target add "$WASM_TARGET"
    say "rust target $WASM_TARGET: installed"
  fi
}

# The pinned nightly of the release build (.ci/nightly-toolchain), with the
# standard library's source for -Zbuild-std.
setup_nightly() {
  local nightly
  nightly="$(cat "$ROOT/.ci/nightly-toolchain")"
  if rustup run "$nightly" rustc --version >/dev/null 2>&1 \
    && rustup component list --installed --toolchain "$nightly" 2>/dev/null | grep -q '^rust-src'; then
    say "rust $nightly + rust-src: present"
    return
  fi
  say "rust $nightly + rust-src: installing (rustup)"
  rustup toolchain install "$nightly" --profile minimal --component rust-src
  say "rust $nightly + rust-src: installed ($(rustup run "$nightly" rustc --version))"
}

setup_wasm_pack() {
  local version
  if version="$(wasm-pack --version 2>/dev/null)"; then
    say "wasm-pack: present ($version)"
    return
  fi
  say "wasm-pack: installing $WASM_PACK_VERSION (cargo install; takes a few minutes)"
  cargo install --locked wasm-pack --version "$WASM_PACK_VERSION" \
    || cargo install wasm-pack --version "$WASM_PACK_VERSION"
  say "wasm-pack: installed ($(wasm-pack --version))"
}

# The wasm-bindgen version the crate is locked to: wasm-pack uses the
# wasm-bindgen on PATH only when its version is exactly this one (otherwise it
# would try to download a prebuilt one).
locked_wasm_bindgen_version() {
  if [ ! -f Cargo.lock ]; then
    cargo generate-lockfile --quiet
  fi
  awk '
    $0 == "[[package]]" { name = ""; next }
    /^name = / { gsub(/"/, "", $3); name = $3; next }
    /^version = / && name == "wasm-bindgen" { gsub(/"/, "", $3); print $3; exit }
  ' Cargo.lock
}

setup_wasm_bindgen_cli() {
  local want have=""
  want="$(locked_wasm_bindgen_version)"
  [ -n "$want" ] || die "no wasm-bindgen package in Cargo.lock"
  if command -v wasm-bindgen >/dev/null 2>&1; then
    have="$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }')"
  fi
  if [ "$have" = "$want" ] && command -v wasm-bindgen-test-runner >/dev/null 2>&1; then
    say "wasm-bindgen-cli $want: present"
    return
  fi
  say "wasm-bindgen-cli $want: installing (found: ${have:-none}; cargo install; takes a few minutes)"
  # --locked is tried first; it fails when a dependency version in the
  # package's lock file is no longer available, so fall back to a fresh
  # resolution within its declared version ranges.
  if ! cargo install --locked --force wasm-bindgen-cli --version "$want"; then
    say "wasm-bindgen-cli $want: --locked install failed, retrying without --locked"
    cargo install --force wasm-bindgen-cli --version "$want"
  fi
  have="$(wasm-bindgen --version | awk '{ print $2 }')"
  [ "$have" = "$want" ] || die "wasm-bindgen on PATH is $have after installing $want (PATH order?)"
  say "wasm-bindgen-cli $want: installed"
}

setup_chromium() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    say "chromium + chromedriver: present ($(/usr/bin/chromium --version 2>/dev/null | head -n1))"
    return
  fi
  say "chromium + chromedriver: installing (apt-get)"
  apt_install chromium chromium-driver
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    die "chromium/chromedriver still missing after apt-get install"
  fi
  say "chromium + chromedriver: installed ($(/usr/bin/chromium --version 2>/dev/null | head -n1))"
}

# Firefox ESR (apt) and geckodriver (cargo install; skipped when one is on
# PATH): `make test-browser` runs the wasm-pack tests in Firefox too.
setup_firefox() {
  if [ -x /usr/bin/firefox-esr ] || [ -x /usr/bin/firefox ]; then
    say "firefox: present ($( (firefox-esr --version || firefox --version) 2>/dev/null | head -n1))"
  else
    say "firefox: installing (apt-get firefox-esr)"
    apt_install firefox-esr
    say "firefox: installed ($(firefox-esr --version 2>/dev/null | head -n1))"
  fi
  local version
  if version="$(geckodriver --version 2>/dev/null | head -n1)"; then
    say "geckodriver: present ($version)"
    return
  fi
  say "geckodriver: installing $GECKODRIVER_VERSION (cargo install; takes a few minutes)"
  cargo install --locked geckodriver --version "$GECKODRIVER_VERSION" \
    || cargo install geckodriver --version "$GECKODRIVER_VERSION"
  say "geckodriver: installed ($(geckodriver --version | head -n1))"
}

setup_npm_tools() {
  local dir="$ROOT/tests"
  [ -f "$dir/package-lock.json" ] || die "tests/package-lock.json is missing"
  if [ -d "$dir/node_modules" ] \
    && [ ! "$dir/package-lock.json" -nt "$dir/node_modules" ] \
    && [ -x "$dir/node_modules/.bin/wasm-opt" ]; then
    say "npm tools (tests/): present"
    return
  fi
  say "npm tools (tests/): installing (npm ci)"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  touch "$dir/node_modules"
  say "npm tools (tests/): installed (wasm-opt $("$dir/node_modules/.bin/wasm-opt" --version | awk '{ print $3 }'))"
}

# bench/: esbuild and the JS auth SDKs, for the size test and the benchmark.
setup_bench_tools() {
  local dir="$ROOT/bench"
  [ -f "$dir/package-lock.json" ] || die "bench/package-lock.json is missing"
  if [ -x "$dir/node_modules/.bin/esbuild" ] && [ ! "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
    say "npm tools (bench/): present"
    return
  fi
  say "npm tools (bench/): installing (npm ci)"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  touch "$dir/node_modules"
  say "npm tools (bench/): installed"
}

# tests/node/: jsdom and happy-dom, the DOMs the package is loaded on under
# node:test (make test-apps).
setup_node_tests() {
  local dir="$ROOT/tests/node"
  [ -f "$dir/package-lock.json" ] || die "tests/node/package-lock.json is missing"
  if [ -d "$dir/node_modules/jsdom" ] && [ -d "$dir/node_modules/happy-dom" ] \
    && [ ! "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
    say "npm tools (tests/node/): present"
    return
  fi
  say "npm tools (tests/node/): installing (npm ci)"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  touch "$dir/node_modules"
  say "npm tools (tests/node/): installed"
}

main() {
  require_tools
  setup_wasm_target
  setup_nightly
  setup_wasm_pack
  setup_wasm_bindgen_cli
  setup_chromium
  setup_firefox
  setup_npm_tools
  setup_bench_tools
  setup_node_tests
}

main "$@"
