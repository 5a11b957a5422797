# Vaaka — the two commands a newcomer needs are `make run` and `make test`.

GO       ?= go
DB       ?= vaaka-demo.db
ADDR     ?= 127.0.0.1:8080
FUZZTIME ?= 30s
# make soak: the long fault tests (cmd/vaaka/fault_*_test.go) with VAAKA_SOAK=1.
SOAK_TIMEOUT ?= 90m
SOAK_RUN     ?= ^TestFault_
# make bench: 10M uses by default; `make bench BENCH_USES=1000000` is the quicker variant.
BENCH_USES     ?= 10000000
BENCH_SEED     ?= 1
BENCH_DB       ?= bin/bench.db
BENCH_DURATION ?= 8s
BENCH_TIME     ?= 1s
BENCH_OUT      ?= bin/bench-report.md
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)

# The race detector needs cgo and a C compiler; without one the tests run
# without it (see README.md).
RACE ?= $(if $(shell command -v $$($(GO) env CC) 2>/dev/null),-race,)

.PHONY: run test build bench lint fuzz clean

## run: serve the demo organisation on $(ADDR) from $(DB) and print the demo logins
run:
	$(GO) run ./cmd/vaaka serve --addr $(ADDR) --db $(DB) --demo

## test: go vet and every test (with the race detector when cgo is available)
test:
	$(GO) vet ./...
	CGO_ENABLED=$(if $(RACE),1,0) $(GO) test $(RACE) -count=1 ./...

## build: a static binary in bin/vaaka
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/vaaka ./cmd/vaaka

## bench: Go benchmarks, then the load run on a generated database (docs/PERFORMANCE.md)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCH_TIME) ./monitoring ./db
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/vaaka ./cmd/vaaka
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/vaakabench ./cmd/vaakabench
	rm -f $(BENCH_DB) $(BENCH_DB)-wal $(BENCH_DB)-shm
	bin/vaaka gen --db $(BENCH_DB) --uses $(BENCH_USES) --seed $(BENCH_SEED) --quiet
	bin/vaakabench run --vaaka bin/vaaka --db $(BENCH_DB) --duration $(BENCH_DURATION) --out $(BENCH_OUT)

## soak: the long versions of the fault tests: 25 crashes under load, SIGTERM, backup and
## verify beside load on 300 000 uses, a full disk (with VAAKA_TEST_FULLFS, see .ci/run)
.PHONY: soak
soak:
	CGO_ENABLED=$(if $(RACE),1,0) VAAKA_SOAK=1 $(GO) test $(RACE) -count=1 -v -timeout $(SOAK_TIMEOUT) \
		-run '$(SOAK_RUN)' ./cmd/vaaka

## lint: gofmt and go vet
lint:
	@unformatted=$$(gofmt -l $$($(GO) list -f '{{.Dir}}' ./...)); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

## fuzz: each Fuzz target for $(FUZZTIME)
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "== $$pkg $$target ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

clean:
	rm -rf bin
