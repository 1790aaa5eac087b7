# Livreur — everyday commands. `make run` and `make test` install whatever is
# missing first (pinned versions), so a fresh machine needs nothing else.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CARGO_LEPTOS_VERSION := 0.3.10
# The wasm-bindgen CLI must be exactly the library version in Cargo.lock.
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/{getline; gsub(/version = |"/,""); print}' Cargo.lock)
NODE_BIN := $(CURDIR)/end2end/node_modules/.bin
# wasm-opt for release builds comes from npm (binaryen), never Debian's old one.
export PATH := $(NODE_BIN):$(HOME)/.cargo/bin:$(PATH)
export LEPTOS_SITE_ROOT ?= target/site
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
export TEST_DATABASE_URL

# Debug builds type-erase Leptos components (as `cargo leptos` does in debug):
# without it Leptos' deeply nested view types make each debug binary ~1.7 GB.
# The release build erases them too (`always-erase-components` in
# Cargo.toml): a third less WebAssembly.
DEV_RUSTFLAGS := --cfg erase_components
lint-ssr lint-wasm test-rust test-bin: export RUSTFLAGS := $(DEV_RUSTFLAGS)
# Leptos names the WebAssembly file from this at compile time, as
# cargo-leptos sets it: the test build's server then serves the front end
# that `make test-site` builds (pkg/livreur.wasm, not livreur_bg.wasm).
test-rust test-bin: export LEPTOS_OUTPUT_NAME := livreur

.PHONY: help tools tools-rust tools-node tools-python tools-browser build run dev test test-rust test-bin test-site test-e2e test-api test-webhooks test-suites test-steps lint lint-ssr lint-wasm fmt-check fmt clean-data

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

tools: tools-rust tools-node ## Install the build tools (Rust target, cargo-leptos, wasm-bindgen, npm packages)

tools-rust:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@if ! cargo leptos --version 2>/dev/null | grep -q "$(CARGO_LEPTOS_VERSION)"; then \
	  echo "installing cargo-leptos $(CARGO_LEPTOS_VERSION) (takes ~15 min on 2 cores, once)"; \
	  cargo install cargo-leptos --locked --version $(CARGO_LEPTOS_VERSION); fi
	@if ! wasm-bindgen --version 2>/dev/null | grep -q "$(WASM_BINDGEN_VERSION)"; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION)"; \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force; fi

# Reinstalled when package-lock.json's digest differs from the one kept in
# node_modules (CI links node_modules into a cache keyed by that digest).
tools-node:
	@want=$$(sha256sum end2end/package-lock.json | cut -c1-64); \
	if [ ! -x "$(NODE_BIN)/wasm-opt" ] || [ "$$(cat end2end/node_modules/.lock-digest 2>/dev/null)" != "$$want" ]; then \
	  (cd end2end && npm ci --no-audit --no-fund) && echo "$$want" > end2end/node_modules/.lock-digest; fi

tools-python: ## The Python tools of Schemathesis and the crash tests (end2end/.venv)
	@./end2end/python-env.sh

tools-browser: ## Install Chromium for the end-to-end tests (Debian package)
	@command -v /usr/bin/chromium >/dev/null || { \
	  echo "installing chromium (apt)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# cargo-leptos runs wasm-bindgen and wasm-opt (~80 s) on every build, even
# when nothing changed: the build is skipped when a digest of everything it
# reads matches the one written after the last successful build.
BUILD_STAMP := target/release/.livreur-inputs
BUILD_INPUTS := Cargo.toml Cargo.lock build.rs src style public locales migrations

build: tools ## Build the release binary and front end (in seconds when nothing changed)
	@digest=$$( { rustc --version; echo "$${RUSTFLAGS:-}"; \
	  find $(BUILD_INPUTS) -type f -print0 | sort -z | xargs -0 sha256sum; } | sha256sum | cut -c1-64); \
	if [ -x target/release/livreur ] && [ -f target/site/pkg/livreur.wasm ] \
	  && [ "$$(cat $(BUILD_STAMP) 2>/dev/null)" = "$$digest" ]; then \
	  echo "release build up to date ($(BUILD_STAMP))"; \
	else \
	  rm -f $(BUILD_STAMP); cargo leptos build --release; echo "$$digest" > $(BUILD_STAMP); fi

run: build ## Build, then serve on http://127.0.0.1:3000 with the SQLite default
	./target/release/livreur serve

dev: tools ## Rebuild and restart on every change (debug build)
	cargo leptos watch

# The steps of `make test`, in order; .ci/run times each one.
TEST_STEPS := fmt-check test-rust test-site test-e2e test-suites

test: $(TEST_STEPS) ## Run every test: formatting, clippy on both targets, Rust tests on SQLite and PostgreSQL, Playwright, Schemathesis, webhook crash tests

# What the browser and HTTP suites run against: the server binary of the
# test build (`make test-rust` links it; `make test-bin` alone builds just
# it) and the front end in a debug build (`make test-site`), both
# clippy-checked as they compile. The release build (`make build`) is the
# same code with optimisations: `make run` serves it, and the suites run
# against it with LIVREUR_BIN=target/release/livreur LIVREUR_SITE=target/site.
TEST_BIN := target/debug/livreur
TEST_SITE := target/site-debug
LIVREUR_BIN ?= $(TEST_BIN)
LIVREUR_SITE ?= $(TEST_SITE)
export LIVREUR_BIN LIVREUR_SITE
# What the suites need built: the test build's pieces, or the release build.
SUITE_BUILD := $(if $(filter $(TEST_BIN),$(LIVREUR_BIN)),test-bin test-site,build)

# Clippy as the compiler of this crate (never of its dependencies): the test
# build below lints every target of the server build while it compiles them,
# so CI compiles the crate once for both instead of once to lint and once to
# test. Warnings are errors, as in `make lint`.
CLIPPY_BUILD = RUSTC_WORKSPACE_WRAPPER="$$(rustup which clippy-driver)" \
  CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"

test-steps:
	@echo $(TEST_STEPS)

lint: fmt-check lint-ssr lint-wasm ## rustfmt, leptosfmt and clippy (server and browser builds), warnings are errors

fmt-check: tools-rust
	cargo fmt --all --check
	@command -v leptosfmt >/dev/null || cargo install leptosfmt --locked --version 0.1.33
	leptosfmt --check src

lint-ssr:
	cargo clippy --features ssr --all-targets -- -D warnings

lint-wasm: tools-rust
	cargo clippy --features hydrate --lib --target wasm32-unknown-unknown -- -D warnings

test-rust: tools-python tools-node ## Unit and integration tests, clippy-checked as they build (PostgreSQL too when reachable; required when CI=true; mail through end2end/smtp_sink.py; docs/webhooks.md's receivers in Python and Node)
	$(CLIPPY_BUILD) cargo test --features ssr --all-targets --no-run
	$(CLIPPY_BUILD) cargo test --features ssr

test-bin:
	$(CLIPPY_BUILD) cargo build --features ssr --bin livreur

# The front end for the suites: the debug WebAssembly, compiled by clippy
# with warnings as errors, so this is also the lint of the browser build.
test-site: tools-rust tools-node
	$(CLIPPY_BUILD) LEPTOS_SITE_ROOT=$(TEST_SITE) cargo leptos build --frontend-only

test-e2e: $(SUITE_BUILD) tools-browser ## Playwright in Chromium (the test build; LIVREUR_BIN/LIVREUR_SITE to choose)
	cd end2end && npx playwright test

test-api: $(SUITE_BUILD) tools-python tools-node ## The OpenAPI document: validated, generated Python and TypeScript clients, then Schemathesis
	./end2end/api-fuzz.sh

test-webhooks: $(SUITE_BUILD) tools-python ## Webhook durability: SIGKILL mid-delivery (SQLite), 3 instances sharing PostgreSQL
	./end2end/webhooks-crash.sh

# The API suite (generated clients, Schemathesis) and the crash tests side
# by side: both spend most of their time waiting (on a slow receiver, on
# one request at a time), each on its own server, port and database. Both
# run to the end; either failing fails.
test-suites: $(SUITE_BUILD) tools-python tools-node
	@./end2end/api-fuzz.sh > target/test-api.log 2>&1 & api=$$!; \
	  ./end2end/webhooks-crash.sh && hooks=0 || hooks=$$?; \
	  wait $$api && api_status=0 || api_status=$$?; \
	  echo "### API: generated clients and Schemathesis (exit $$api_status)"; cat target/test-api.log; \
	  exit $$(( hooks || api_status ))

fmt: ## Format view! macros, then Rust
	leptosfmt src
	cargo fmt --all

clean-data: ## Delete the local SQLite database
	rm -rf data

.PHONY: bench bench-quick tools-bench
# The insert ceiling builds in its own target folder: `cargo bench` also
# builds the `livreur` binary, without cargo-leptos' settings (front-end
# file names), and would replace the release build the benchmark serves.
BENCH_TARGET_DIR := target/bench

tools-bench: tools-browser ## The load generator of the benchmarks (wrk, Debian package)
	@command -v wrk >/dev/null || { \
	  echo "installing wrk (apt)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

bench: build tools-bench ## Benchmarks on loopback (~15 min, no gate): one table, bench/results/latest.md; see docs/benchmarks.md
	cargo bench --features ssr --bench insert_ceiling --bench receiver --no-run --target-dir $(BENCH_TARGET_DIR)
	python3 bench/run.py $(BENCH_ARGS)

bench-quick: build tools-bench ## The benchmark harness at small sizes (~2 min), a smoke test
	cargo bench --features ssr --bench insert_ceiling --bench receiver --no-run --target-dir $(BENCH_TARGET_DIR)
	python3 bench/run.py --quick $(BENCH_ARGS)
