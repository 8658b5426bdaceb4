# roomgate: the two commands a newcomer needs are `make dev` and `make test`.
# `make setup` is run by both; it installs everything the project needs.

GO ?= go
NPM_DIRS := $(patsubst %/package-lock.json,%,$(wildcard test/*/package-lock.json))

.PHONY: setup dev test test-go test-js bench fuzz lint

## setup: Go modules, npm packages from the committed lockfiles
setup:
	$(GO) mod download
	@for d in $(NPM_DIRS); do echo "npm ci in $$d"; (cd $$d && npm ci --no-audit --no-fund --loglevel=error) || exit 1; done

## dev: start the local emulator and the service with demo users (main job)
dev: setup
	$(GO) run ./cmd/roomgate dev

## test: every test: vet, Go unit + end-to-end suites, JavaScript suites
test: setup
	$(GO) vet ./...
	$(MAKE) test-go
	$(MAKE) test-js

test-go:
	$(GO) test -count=1 -timeout 15m ./...

test-js:
	@for d in $(NPM_DIRS); do echo "npm test in $$d"; (cd $$d && npm test) || exit 1; done

## bench: the benchmarks whose figures the README quotes
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./emulator/... ./internal/... ./test/...

## fuzz: run each fuzz target for FUZZTIME (default 2m)
FUZZTIME ?= 2m
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./emulator/rules/parser
	$(GO) test -run '^$$' -fuzz '^FuzzEval$$' -fuzztime $(FUZZTIME) ./emulator/rules
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeCreateRoom$$' -fuzztime $(FUZZTIME) ./internal/api
