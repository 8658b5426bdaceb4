# roomgate: the two commands a newcomer needs are `make dev` and `make test`.
# `make setup` is run by both; it installs everything the project needs.

GO ?= go
NPM_DIRS := $(patsubst %/package-lock.json,%,$(wildcard test/*/package-lock.json))

.PHONY: setup dev test test-go test-js test-google bench fuzz lint

## setup: Go modules, npm packages from the committed lockfiles, Debian chromium.
## A suite whose node_modules npm finished installing after its package.json and
## package-lock.json last changed is not reinstalled, so `make dev` stays quick.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
setup:
	$(GO) mod download
	@command -v chromium >/dev/null 2>&1 || { echo "installing Debian's chromium (browser test)"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }
	@for d in $(NPM_DIRS); do \
		if [ $$d/node_modules/.package-lock.json -nt $$d/package-lock.json ] && [ $$d/node_modules/.package-lock.json -nt $$d/package.json ]; then \
			echo "$$d: npm packages up to date"; continue; fi; \
		echo "npm ci in $$d"; (cd $$d && npm ci --no-audit --no-fund --loglevel=error) || exit 1; done

## dev: start the local emulator and the service with demo users (main job;
## cmd/roomgate-dev, kept out of the production binary cmd/roomgate)
dev: setup
	$(GO) run ./cmd/roomgate-dev

## test: every test: vet, Go unit + end-to-end suites, JavaScript suites,
## then the Firestore suites again on Google's emulator (test-google)
test: setup
	$(GO) vet ./...
	$(MAKE) test-go
	$(MAKE) test-js
	$(MAKE) test-google

test-go:
	$(GO) test -count=1 -timeout 15m ./...

test-js:
	@for d in $(NPM_DIRS); do echo "npm test in $$d"; (cd $$d && npm test) || exit 1; done

## test-google: the Firestore suites, the service's end-to-end suite and the Auth
## suites that can target another emulator, unchanged, against Google's emulators
## instead of ours. With Java 21+ (and `make setup`'s firebase-tools) that is Google's
## complete pair, firebase-tools' Auth emulator and the Cloud SDK's Firestore jar
## (scripts/google-emulators.sh, offline). Without Java 21+ it says so and uses
## Google's Firestore emulator with our Auth emulator (`--only auth` starts only
## ours; scripts/google-firestore-emulator.sh adds Google's Firestore). Skipped,
## saying so, if Google's Firestore emulator is not installed.
GOOGLE_SUITES := set -e; \
	echo "== go test ./test/rules/ with FIRESTORE_EMULATOR_HOST=$$FIRESTORE_EMULATOR_HOST"; $(GO) test -count=1 ./test/rules/; \
	echo "== go test ./emulator/firestore/ with ROOMGATE_TEST_FIRESTORE=$$ROOMGATE_TEST_FIRESTORE"; $(GO) test -count=1 ./emulator/firestore/; \
	echo "== go test ./test/e2e/ with FIRESTORE_EMULATOR_HOST=$$FIRESTORE_EMULATOR_HOST FIREBASE_AUTH_EMULATOR_HOST=$$FIREBASE_AUTH_EMULATOR_HOST"; $(GO) test -count=1 ./test/e2e/; \
	if [ -n "$$ROOMGATE_TEST_AUTH" ]; then echo "== go test -run Target ./emulator/auth/ with ROOMGATE_TEST_AUTH=$$ROOMGATE_TEST_AUTH"; $(GO) test -count=1 -run Target ./emulator/auth/; fi; \
	echo "== npm run test:raw in test/rules-js"; npm --prefix test/rules-js run --silent test:raw; \
	echo "== npm run test:raw in test/emulator-js"; npm --prefix test/emulator-js run --silent test:raw
test-google:
	@if ! scripts/google-firestore-emulator.sh --check 2>/dev/null; then \
		echo "Google's Firestore emulator not installed; skipping"; exit 0; fi; \
	for d in test/rules-js test/emulator-js; do [ -d $$d/node_modules ] || { echo "$$d/node_modules missing: run make setup"; exit 1; }; done; \
	if scripts/google-emulators.sh --check; then \
		scripts/google-emulators.sh -- sh -c '$(GOOGLE_SUITES)'; \
	else \
		echo "Google's Auth emulator skipped (see above); Google's Firestore emulator with our Auth emulator"; \
		$(GO) run ./cmd/roomgate-emulator exec --only auth --ephemeral-ports --quiet -- \
			scripts/google-firestore-emulator.sh -- sh -c '$(GOOGLE_SUITES)'; \
	fi

## bench: the benchmarks whose figures the README quotes
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./emulator/... ./internal/... ./test/...

## fuzz: run each fuzz target for FUZZTIME (default 2m)
FUZZTIME ?= 2m
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./emulator/rules/parser
	$(GO) test -run '^$$' -fuzz '^FuzzEval$$' -fuzztime $(FUZZTIME) ./emulator/rules
	$(GO) test -run '^$$' -fuzz '^FuzzFastPaths$$' -fuzztime $(FUZZTIME) ./emulator/rules
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeCreateRoom$$' -fuzztime $(FUZZTIME) ./internal/api
