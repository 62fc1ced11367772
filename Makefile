# The two commands of the README: `make run` and `make test`.
BIN := bin/regulars
GO  ?= go

.PHONY: run test build generate demo check chromium fuzz bench clean

run: build
	./$(BIN)

build: generate
	$(GO) build -o $(BIN) .

# Regenerate the templ components (the generated *_templ.go files are committed).
generate:
	$(GO) tool templ generate -path views

demo: build
	./$(BIN) demo

# Screenshots of the browser tests are kept in test-output/_artifacts.
test: chromium generate
	$(GO) vet ./...
	mkdir -p test-output
	$(GO) test -race -count=1 -artifacts -outputdir $(CURDIR)/test-output ./...

# Fuzzing of every parser of user input: each Fuzz target of every package, for
# FUZZTIME (CI runs them briefly). Their seed corpora are committed in
# testdata/fuzz and run as plain tests by `make test` too.
FUZZTIME ?= 10s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "fuzz $$pkg $$target for $(FUZZTIME)"; \
			$(GO) test $$pkg -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) || exit 1; \
		done; \
	done

# The benchmark: the server against two ceilings of this machine, one table
# (docs/performance.md). The first run seeds a big shop into bench-output/ (about
# 15 minutes); later runs reuse it. BENCH_FLAGS=-help lists the knobs.
bench: build
	$(GO) build -o bin/bench ./bench
	./bin/bench -bin $(BIN) $(BENCH_FLAGS)

# What CI checks besides the tests: formatting and generated code up to date.
check: generate
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	@git diff --exit-code -- '*_templ.go' || { echo "generated templ files are stale: run make generate and commit"; exit 1; }

# The browser tests need Chromium: install Debian's when missing and we may.
chromium:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "chromium not found and apt-get not usable: browser tests will skip (install with: sudo apt-get install chromium)"; \
	fi

clean:
	rm -rf bin test-output bench-output
