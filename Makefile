# The project's verbs. `make all` generates, checks and builds everything;
# `make test` runs every test. Both work on a fresh machine with Go and npm.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
GO ?= go
TOOL := $(GO) tool -modfile=tools/go.mod
REDOCLY := REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true node_modules/.bin/redocly
# Fuzz targets run this long each in `make fuzz` (CI).
FUZZTIME ?= 10s

.PHONY: all generate check check-generated vet fmt lint breaking build test test-root test-conformance test-bench cassettes record fuzz demo docs docs-html bench

all: generate check build

generate:
	$(GO) generate ./...

build:
	$(GO) build ./...
	cd conformance && $(GO) build ./...
	cd bench && $(GO) vet ./...

check: check-generated vet fmt lint breaking

# gen/ and openapi.json must be exactly what the pinned generator and
# tools/openapijson make from openapi.yaml, and making them twice must give
# the same bytes.
GENERATED := indexingjobs.gen.go internal/gen/ openapi.json
GENERATED_FILES = indexingjobs.gen.go internal/gen/*.go openapi.json
check-generated:
	$(GO) generate ./...
	first=$$(sha256sum $(GENERATED_FILES)); $(GO) generate ./...; [ "$$first" = "$$(sha256sum $(GENERATED_FILES))" ] || { echo "generation is not stable"; exit 1; }
	git diff --exit-code --stat -- $(GENERATED) || { echo "$(GENERATED) is stale: commit the output of 'make generate'"; exit 1; }
	[ -z "$$(git ls-files --others --exclude-standard -- $(GENERATED))" ] || { echo "$(GENERATED) has files git does not track"; exit 1; }

vet:
	$(GO) vet ./...
	cd conformance && $(GO) vet ./...
	cd bench && $(GO) vet ./...
	cd tools && $(GO) vet ./...

fmt:
	out=$$(gofmt -l .); [ -z "$$out" ] || { echo "gofmt would change: $$out"; exit 1; }

# npm and Redocly print banners (a Node.js deprecation notice, Redoc 3's
# news) on every run, which would bury what make test tests: what they
# print goes to a log under build/, shown only when they fail.
QUIET = >"$(LOG)" 2>&1 || { cat "$(LOG)"; exit 1; }

node_modules/.bin/redocly: LOG = build/npm-ci.log
node_modules/.bin/redocly: package.json package-lock.json
	@mkdir -p build
	@echo "npm ci (Redocly CLI; output in $(LOG))"
	@npm ci --no-audit --no-fund $(QUIET)
	@touch $@

lint: node_modules/.bin/redocly
	$(REDOCLY) lint --format=stylish openapi.yaml

# Changes to openapi.yaml that break callers of the generated Go API, against
# the last commit (BASE=ref to compare with another).
BASE ?= HEAD
breaking:
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	git show $(BASE):openapi.yaml > "$$tmp/base.yaml"; \
	$(TOOL) oasdiff breaking "$$tmp/base.yaml" openapi.yaml --fail-on ERR --severity-levels tools/oasdiff-levels.txt

test: test-root test-conformance test-bench

test-root:
	$(GO) test -race ./...
	cd tools && $(GO) test ./...

# The browser test of the documentation needs the page and Chromium.
test-conformance: docs-html
	cd conformance && $(GO) test -race ./...

# The benchmarks run once each, so that they cannot rot; make bench measures.
test-bench:
	cd bench && $(GO) test -race -count 1 -bench . -benchtime 1x ./...

# Each candidate against the floor, in benchstat tables (bench/README.md).
# The test binary runs BENCHCOUNT times, each time every candidate in turn,
# so that a machine that speeds up or slows down meanwhile weighs on all of
# them alike (-count would run each candidate's rounds back to back). The
# first tables compare separate runs of each candidate; the last, Paired,
# the time of each over the floor's from calls made in turn.
BENCHCOUNT ?= 10
bench:
	mkdir -p build
	cd bench && $(GO) test -c -o ../build/bench.test .
	cd bench && for i in $$(seq $(BENCHCOUNT)); do ../build/bench.test -test.run '^$$' -test.bench . -test.benchmem -test.cpu 1,2; done | tee ../build/bench.txt
	$(TOOL) benchstat -filter '-.name:Paired' -col /impl build/bench.txt
	$(TOOL) benchstat -filter '.name:Paired .unit:%floor' -col /impl build/bench.txt

# Each fuzz target in turn; seeds are in the f.Add calls and testdata/fuzz.
fuzz:
	$(GO) test ./wire -run '^$$' -fuzz '^FuzzUint64$$' -fuzztime $(FUZZTIME)
	$(GO) test . -run '^$$' -fuzz '^FuzzJobID$$' -fuzztime $(FUZZTIME)
	$(GO) test . -run '^$$' -fuzz '^FuzzResponse$$' -fuzztime $(FUZZTIME)
	$(GO) test . -run '^$$' -fuzz '^FuzzListIndexingJobs$$' -fuzztime $(FUZZTIME)
	$(GO) test . -run '^$$' -fuzz '^FuzzSecretsClean$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/safetext -run '^$$' -fuzz '^FuzzLine$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/jsondec -run '^$$' -fuzz '^FuzzUnmarshal$$' -fuzztime $(FUZZTIME)

# The whole flow against a fake API: no account, no network.
demo:
	$(GO) run ./cmd/indexingjobs demo

# The documentation page, rendered from openapi.yaml by the pinned Redocly
# CLI with its scripts inlined (a build output: not committed).
docs-html: build/docs/index.html

build/docs/index.html: LOG = build/docs/build-docs.log
build/docs/index.html: openapi.yaml redocly.yaml node_modules/.bin/redocly
	@mkdir -p build/docs
	@echo "redocly build-docs openapi.yaml -> $@ (output in $(LOG))"
	@$(REDOCLY) build-docs openapi.yaml --inlineBundle --output $@ $(QUIET)

# Serve the documentation at http://127.0.0.1:8080/ (ADDR= to change).
ADDR ?= 127.0.0.1:8080
docs: docs-html
	$(GO) run ./cmd/indexingjobs docs --addr $(ADDR)

# Capture the cassettes of testdata/cassettes from the fake API: every
# operation's success and the cancel's errors (conformance/record), then
# validate them against the spec and replay them through the client.
# TestCapturedCassettesAreCurrent fails while they are stale.
cassettes:
	cd conformance && $(GO) run ./cmd/record -fake -dir ../testdata/cassettes
	cd conformance && $(GO) test -count 1 -run '^(TestRecordingsMatchSpec|TestRecordingsAreWhatTheClientSends|TestCapturedCassettesAreCurrent)$$' .

# Record testdata/cassettes/live from the live API: every read-only
# operation, and with JOB the cancel of that job (it cancels JOB).
#   DIGITALOCEAN_ACCESS_TOKEN=... make record [JOB=<uuid of a running job>]
record:
	@[ -n "$$DIGITALOCEAN_ACCESS_TOKEN" ] || { echo "usage: DIGITALOCEAN_ACCESS_TOKEN=... make record [JOB=<uuid of a running job to cancel>]"; exit 2; }
	cd conformance && $(GO) run ./cmd/record -job "$(JOB)" -dir ../testdata/cassettes/live
