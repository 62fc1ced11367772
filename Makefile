# The two commands of the README: `make run` and `make test`.
BIN := bin/regulars
GO  ?= go

# Every build takes a Go with today's standard-library security fixes. Machines
# start with GOTOOLCHAIN=local (Go 1.26.8); the go command fetches this release
# from the module proxy the first time (76 MB, seconds). `make GOTOOLCHAIN=local`
# uses the installed Go instead.
export GOTOOLCHAIN := go1.27.3

# No go test may hang a run: each package is stopped after these. The browser
# journeys took 12.5 minutes beside the race run in session 8, after issue 17
# added its look, table and chart journeys (docs/performance.md, "The test
# suite's time"); the race run's handlers package 6.5. In session 9 issues 18
# and 19 added ten journeys: 16 minutes, and the db package's race run, 110 s
# alone, passed 10 minutes beside them on two cores.
UNIT_TIMEOUT ?= 20m
E2E_TIMEOUT  ?= 25m

.PHONY: run test test-fast test-race test-e2e test-crash build generate demo check vet staticcheck \
	templ-fresh vuln chromium mailpit fuzz fuzz-smoke bench clean

run: build
	./$(BIN)

build: generate
	$(GO) build -o $(BIN) .

# Regenerate the templ components (the generated *_templ.go files are committed).
generate:
	$(GO) tool templ generate -path views

demo: build
	./$(BIN) demo

# The complete run, as CI does it: the static checks first (they fail in
# seconds), then, side by side, the race-checked tests of every package but the
# browser journeys, the browser journeys, a short run of every fuzz target and
# the vulnerability check of the built binary. Each part's output is printed
# whole when it ends. Screenshots of the browser tests are kept in
# test-output/_artifacts.
test: chromium mailpit check
	@mkdir -p test-output
	$(MAKE) --no-print-directory -j4 --output-sync=target test-race test-e2e test-crash fuzz-smoke vuln

# The edit-test loop: every test once, no race detector, Go's test cache on.
test-fast: generate
	$(GO) test -timeout $(UNIT_TIMEOUT) ./...

# Every package except the browser journeys and the crash test, under the
# race detector (it covers handlers, db, loyalty and the rest). The committed
# fuzz corpora run here as plain tests.
test-race: generate
	$(GO) test -race -count=1 -timeout $(UNIT_TIMEOUT) $$($(GO) list ./... | grep -v '/e2e$$\|/crashtest$$')

# The crash test kills a server it built (without the race detector) again
# and again: its own few goroutines gain nothing from the detector, which
# tripled its time beside the other runs.
test-crash: generate
	$(GO) test -count=1 -timeout $(UNIT_TIMEOUT) ./crashtest

# The real-browser journeys (Chromium), in one process with one shared browser.
test-e2e: generate
	$(GO) test -count=1 -timeout $(E2E_TIMEOUT) -artifacts -outputdir $(CURDIR)/test-output ./e2e

# Formatting, vet, staticcheck (pinned in go.mod as a tool) and generated code
# up to date.
check: templ-fresh vet staticcheck
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }

# The generated files must be what the .templ files generate: CI fails on a
# commit that forgot `make generate` (a developer's uncommitted but fresh
# files pass).
templ-fresh:
	@before="$$(cat views/*_templ.go | sha256sum)"; \
	$(GO) tool templ generate -path views >/dev/null && \
	test "$$before" = "$$(cat views/*_templ.go | sha256sum)" || { echo "generated templ files were stale: regenerated now, commit them"; exit 1; }

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) tool staticcheck ./...

# Known vulnerabilities reachable from the built binary (govulncheck, with a
# database built offline from the golang.org/x/vulndb module). Advisories that
# do not apply are listed, with the reason, in .ci/vuln.
vuln: build
	bash .ci/vuln $(BIN)

# Fuzzing of every parser of user input: each Fuzz target of every package, for
# FUZZTIME. Targets are found in the sources, so no test binary is built only
# to list them. Their seed corpora are committed in testdata/fuzz and run as
# plain tests by `make test` too.
FUZZTIME ?= 10s
FUZZFLAGS ?=
fuzz:
	@grep -H '^func Fuzz' $$(git ls-files '*_test.go') | sed 's|^\(.*\)/[^/]*_test.go:func \(Fuzz[A-Za-z0-9_]*\).*|./\1 \2|' | \
	while read pkg target; do \
		echo "fuzz $$pkg $$target for $(FUZZTIME)"; \
		$(GO) test $$pkg -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) $(FUZZFLAGS) -timeout 5m || exit 1; \
	done

# What CI runs of the fuzzers: every target briefly, with one worker each, so
# that the tests running beside it keep a core. It waits for generate, as the
# other parts of `make test` do: templ rewrites every generated file, and a
# fuzz build that started beside it once read views/raffles_templ.go half
# written (CI, session 10).
fuzz-smoke: generate
	@$(MAKE) --no-print-directory fuzz FUZZTIME=2s FUZZFLAGS=-parallel=1

# The benchmark: the server against two ceilings of this machine, one table
# (docs/performance.md). The first run seeds a big shop into bench-output/ (about
# 15 minutes); later runs reuse it. BENCH_FLAGS=-help lists the knobs.
bench: build mailpit
	$(GO) build -o bin/bench ./bench
	./bin/bench -bin $(BIN) $(BENCH_FLAGS)

# The browser tests need Chromium: install Debian's when missing and we may.
chromium:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "chromium not found and apt-get not usable: browser tests will skip (install with: sudo apt-get install chromium)"; \
	fi

# The mail tests send to a real SMTP server, Mailpit, which they start
# themselves (mailtest/): install it when missing. Without it they skip, but
# fail on CI.
MAILPIT_VERSION := v1.33.1
mailpit:
	@if command -v mailpit >/dev/null 2>&1 || [ -x "$$($(GO) env GOPATH)/bin/mailpit" ]; then :; \
	else \
		echo "installing mailpit $(MAILPIT_VERSION) for the mail tests"; \
		$(GO) install github.com/axllent/mailpit@$(MAILPIT_VERSION); \
	fi

clean:
	rm -rf bin test-output bench-output
