# sociapp-auth: build, test and demo entry points. `make help` lists them.
#
#   make setup         install the missing tools (.ci/setup.sh; idempotent)
#   make test          everything CI runs: test-native, test-browser, test-pkg, test-apps
#   make pkg           the release npm package in pkg/
#   make demo          the Vue, React, Nuxt, Next.js and minimal demos + dev API server (Ctrl-C stops)
#   make bench         sizes and timings against the plain-JS flow and JS auth SDKs

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
# The targets below share ports and build directories: run them one at a time.
.NOTPARALLEL:

# Tools installed by `cargo install` live here; make them visible even when
# the calling shell has not sourced cargo's env file.
CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
export PATH := $(CARGO_BIN):$(PATH)

TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
DEVSERVER := $(TARGET_DIR)/debug/sociapp-devserver
CHROMEDRIVER ?= /usr/bin/chromedriver
# geckodriver as on PATH (setup installs it with cargo), or a path to it.
GECKODRIVER ?= geckodriver
WASM_OPT := tests/node_modules/.bin/wasm-opt
# rustc's wasm32-unknown-unknown target (1.82 and later) emits these
# post-MVP features by default; wasm-opt must accept them to validate the
# module. --converge repeats -Oz while it still shrinks the module; a first
# pass that flattens the code and rebuilds its control flow (--flatten
# --rereloop) and an -O2 pass let the later ones shrink it further. Inlining
# is tuned for the gzipped size (measured): a function with one caller is
# inlined whatever its size (binaryen's default), and any function of up to
# 4 bytes (-aimfs=4). --low-memory-unused: nothing lives in the first 1 KiB of
# memory (rustc puts the stack's top at 1 MiB and the data above it).
WASM_OPT_FLAGS := --flatten --rereloop -O2 -Oz -Oz --converge -aimfs=4 --low-memory-unused \
  --enable-bulk-memory --enable-bulk-memory-opt \
  --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  --enable-call-indirect-overlong --strip-producers --strip-target-features

# The release module is built with a pinned nightly (.ci/setup.sh installs
# it with rust-src): the standard library is rebuilt for size with panics
# that abort at once (no panic messages, no formatting machinery) and no
# source locations. Without the reference-types feature wasm-bindgen keeps
# JS values in a table of its glue rather than an externref table: smaller.
# rustc's MIR inliner (off by default at opt-level "z") also runs, may inline
# any function of std and the dependencies, and takes #[inline] functions up
# to a cost of 40: measured 1,965 B gzip smaller than without (hint 30 and
# 50, and other thresholds tried, are larger).
# Tests may build with stable; the package's end-to-end tests run this build.
NIGHTLY := $(shell cat .ci/nightly-toolchain)
RELEASE_TARGET_DIR := $(TARGET_DIR)/release-wasm
RELEASE_RUSTFLAGS := -Cpanic=immediate-abort -Zunstable-options \
  -Csymbol-mangling-version=legacy -Zlocation-detail=none -Zfmt-debug=none \
  -Ctarget-feature=-reference-types \
  -Zmir-enable-passes=+Inline -Zcross-crate-inline-threshold=always -Zinline-mir-hint-threshold=40
RELEASE_WASM := $(RELEASE_TARGET_DIR)/wasm32-unknown-unknown/release/sociapp_auth.wasm
# The glue passes strings with TextEncoder's encodeInto, which every browser
# the SDK supports has (it needs AbortSignal.timeout, which came later):
# wasm-bindgen's fallback for browsers without it is left out.
WASM_BINDGEN_FLAGS := --target web --encode-into always

# Where `make pkg` writes the package (override to build a private copy).
PKG ?= pkg
PKG_WASM := $(PKG)/sociapp_auth_bg.wasm

# Browser tests: the dev API server on TEST_API_PORT; nothing may listen on
# TEST_DOWN_PORT (the tests use it as an unreachable API).
TEST_API_PORT ?= 3917
TEST_DOWN_PORT ?= 3918
TEST_ORIGINS := --allow-origin 'http://127.0.0.1:*' --allow-origin 'http://localhost:*'

# Demo: the pages on DEMO_STATIC_PORT (www/minimal at /, the builds of
# www/vue and www/react at /vue/ and /react/), the API on DEMO_API_PORT.
DEMO_API_PORT ?= 3000
DEMO_STATIC_PORT ?= 8080
# The server-rendered apps (www/nuxt, www/next), each on its own server.
DEMO_NUXT_PORT ?= 3001
DEMO_NEXT_PORT ?= 3002
DEMO_SITE := $(TARGET_DIR)/demo-site
DEMO_HOST := http://localhost:$(DEMO_STATIC_PORT)
DEMO_URL := $(DEMO_HOST)/$(if $(filter 3000,$(DEMO_API_PORT)),,?api=http://localhost:$(DEMO_API_PORT))
# The Vue and React builds take the API's URL at build time; without it they
# use port 3000 of the page's host.
DEMO_API_BUILD := $(if $(filter 3000,$(DEMO_API_PORT)),,--api http://localhost:$(DEMO_API_PORT))

.PHONY: help setup test test-native test-browser test-pkg test-apps pkg devserver demo bench clean

help:
	@echo 'targets:'
	@echo '  setup         install the missing tools (wasm32 target, wasm-pack, wasm-bindgen-cli,'
	@echo '                Chromium + chromedriver, npm tools in tests/)'
	@echo '  test          test-native, then test-browser, then test-pkg, then test-apps'
	@echo '  test-native   clippy, cargo test --workspace (core, protocol table, lock twin, dev server),'
	@echo '                node --test tests/release/ (the release scripts)'
	@echo '  test-browser  wasm-pack test in headless Chromium and Firefox against the dev server'
	@echo '  test-pkg      builds pkg/, then the end-to-end tests in tests/e2e/ in Chromium: the'
	@echo '                package, www/minimal, and www/vue + www/react (npm ci when needed,'
	@echo '                strict type-check, vite build, vite dev)'
	@echo '  test-apps     builds pkg/, then the apps'"'"' unit tests against sociapp-auth/testing'"'"'s fake'
	@echo '                API: www/vue (Vitest, jsdom) and www/react (Vitest, happy-dom), each'
	@echo '                installed with the package, and node --test tests/node/ (the package'
	@echo '                in Node on jsdom and happy-dom, and without a window)'
	@echo '  pkg           the release npm package in pkg/'
	@echo '  demo          builds pkg/, the Vue and React demos and the Nuxt and Next.js apps;'
	@echo '                serves them and www/minimal with the dev API server (Ctrl-C stops)'
	@echo '  bench         builds pkg/, then the benchmark in Chromium (bench/README.md);'
	@echo '                prints a table and writes bench/results.json'
	@echo '  clean         removes pkg/ and target/'

setup:
	bash .ci/setup.sh

test: setup
	mkdir -p $(TARGET_DIR)
	$(MAKE) --no-print-directory test-native test-browser test-pkg test-apps 2>&1 | tee $(TARGET_DIR)/test.log
	@bash .ci/summary.sh $(TARGET_DIR)/test.log

test-native:
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy --lib --tests --target wasm32-unknown-unknown -- -D warnings
	cargo test --workspace
	node --test tests/release/

devserver:
	cargo build -p sociapp-devserver

# The browsers test-browser runs the wasm-pack tests in, one after the other
# against the same dev server (e.g. BROWSERS=chrome for a quicker local run).
# The test runner picks the browser from the CHROMEDRIVER/GECKODRIVER
# variables (GECKODRIVER first), which wasm-pack sets from its flag: neither
# may come from outside. --nocapture shows what the tests print, such as the
# fault matrix's tally.
BROWSERS ?= chrome firefox
WASM_PACK_BROWSER_chrome = --chrome --chromedriver $(CHROMEDRIVER)
WASM_PACK_BROWSER_firefox = --firefox --geckodriver "$$(command -v $(GECKODRIVER))"

test-browser: setup devserver
	@if (exec 3<>/dev/tcp/127.0.0.1/$(TEST_DOWN_PORT)) 2>/dev/null; then \
	  echo "test-browser: 127.0.0.1:$(TEST_DOWN_PORT) must be free (the tests use it as an unreachable API)" >&2; \
	  exit 1; \
	fi
	bash .ci/with-devserver.sh --port $(TEST_API_PORT) --test-faults $(TEST_ORIGINS) -- \
	  env SOCIAPP_API=http://127.0.0.1:$(TEST_API_PORT) \
	      SOCIAPP_DOWN=http://127.0.0.1:$(TEST_DOWN_PORT) \
	      WASM_BINDGEN_TEST_TIMEOUT=300 \
	  bash -c 'status=0; \
	    $(foreach b,$(BROWSERS),echo "test-browser: $(b)"; \
	      env -u CHROMEDRIVER -u GECKODRIVER \
	      wasm-pack test --headless $(WASM_PACK_BROWSER_$(b)) --mode no-install -- -- --nocapture || status=1;) \
	    exit $$status'

test-pkg: pkg devserver
	SOCIAPP_DEVSERVER=$(DEVSERVER) SOCIAPP_PKG_DIR=$(PKG) node --test tests/e2e/ bench/size.test.mjs

# The apps' unit tests against the fake API of sociapp-auth/testing: each
# demo's Vitest suite (installed with the package, npm ci when its lock
# changed; tests/node/run-apps.mjs prints the counts for summary.sh), then
# node:test on the package in Node. Both run; either failing fails the target.
test-apps: pkg
	status=0; \
	SOCIAPP_PKG_DIR=$(PKG) node tests/node/run-apps.mjs --pkg $(PKG) || status=1; \
	SOCIAPP_PKG_DIR=$(PKG) node --test tests/node/ || status=1; \
	exit $$status

# After wasm-bindgen: the table slots of shims the module never calls are
# emptied (.ci/unused-shims.mjs) so that wasm-opt drops the shims; after
# wasm-opt, import and export names are shortened (.ci/minify-names.mjs) and
# the glue loses the paths the package never takes (.ci/trim-glue.mjs).
pkg: setup
	rm -rf $(PKG)
	env -u RUSTFLAGS -u CARGO_ENCODED_RUSTFLAGS RUSTFLAGS="$(RELEASE_RUSTFLAGS)" \
	  cargo +$(NIGHTLY) build --lib --release --target wasm32-unknown-unknown \
	  -Zbuild-std=std,panic_abort --target-dir $(RELEASE_TARGET_DIR)
	wasm-bindgen $(WASM_BINDGEN_FLAGS) --out-dir $(PKG) --out-name sociapp_auth $(RELEASE_WASM)
	node .ci/unused-shims.mjs $(PKG) sociapp_auth
	$(WASM_OPT) $(WASM_OPT_FLAGS) $(PKG_WASM) -o $(PKG_WASM)
	node .ci/minify-names.mjs $(PKG) sociapp_auth
	node .ci/trim-glue.mjs $(PKG) sociapp_auth
	cp src/js/index.js src/js/index.d.ts src/js/vue.js src/js/vue.d.ts src/js/react.js src/js/react.d.ts src/js/testing.js src/js/testing.d.ts $(PKG)/
	node .ci/package-json.mjs $(PKG)
	@printf 'pkg: %s: %s bytes, %s bytes gzipped\n' $(PKG_WASM) \
	  "$$(wc -c < $(PKG_WASM) | tr -d ' ')" "$$(gzip -9c $(PKG_WASM) | wc -c | tr -d ' ')"

# The Nuxt and Next.js apps are built in place and served by their own
# production servers beside the dev server, stopping with it; they read the
# API's URL as they start.
demo: pkg devserver
	rm -rf $(DEMO_SITE)
	mkdir -p $(DEMO_SITE)
	cp -R www/minimal/. $(DEMO_SITE)/
	cp -R $(PKG) $(DEMO_SITE)/pkg
	node tests/e2e/demo-build.mjs --pkg $(PKG) --out $(DEMO_SITE) $(DEMO_API_BUILD)
	@echo
	@echo 'demo: Vue + Pinia   $(DEMO_HOST)/vue/'
	@echo 'demo: React         $(DEMO_HOST)/react/'
	@echo 'demo: Nuxt (SSR)    http://localhost:$(DEMO_NUXT_PORT)/'
	@echo 'demo: Next.js (SSR) http://localhost:$(DEMO_NEXT_PORT)/'
	@echo 'demo: minimal page  $(DEMO_URL)'
	@echo 'demo: the API       http://localhost:$(DEMO_API_PORT)'
	@echo 'demo: sign in as demo@sociapp.dev / demo-password (Ctrl-C stops the servers)'
	@echo
	trap 'kill $$(jobs -p) 2>/dev/null' EXIT; \
	( cd www/nuxt && env NUXT_TELEMETRY_DISABLED=1 PORT=$(DEMO_NUXT_PORT) HOST=localhost \
	    NUXT_PUBLIC_API_URL=http://localhost:$(DEMO_API_PORT) node .output/server/index.mjs ) & \
	( cd www/next && env NEXT_TELEMETRY_DISABLED=1 SOCIAPP_API_URL=http://localhost:$(DEMO_API_PORT) \
	    node_modules/.bin/next start --port $(DEMO_NEXT_PORT) --hostname localhost ) & \
	$(DEVSERVER) --port $(DEMO_API_PORT) \
	  --static-dir $(DEMO_SITE) --static-port $(DEMO_STATIC_PORT) \
	  --allow-origin http://127.0.0.1:$(DEMO_STATIC_PORT) \
	  --allow-origin http://localhost:$(DEMO_STATIC_PORT) \
	  --allow-origin http://localhost:$(DEMO_NUXT_PORT) \
	  --allow-origin http://localhost:$(DEMO_NEXT_PORT)

# Not part of `make test`: timings are not pass/fail. Installs bench/'s npm
# tools (esbuild, playwright-core, the peer SDKs) when its lock file changed.
# bench/'s npm tools come with `setup` (via pkg).
bench: pkg devserver
	SOCIAPP_DEVSERVER=$(DEVSERVER) SOCIAPP_PKG_DIR=$(PKG) node bench/run.mjs

clean:
	rm -rf pkg www/vue/node_modules www/react/node_modules \
	  www/nuxt/node_modules www/nuxt/.nuxt www/nuxt/.output www/next/node_modules www/next/.next
	cargo clean
