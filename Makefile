# Vaaka — the two commands a newcomer needs are `make run` and `make test`.

GO       ?= go
DB       ?= vaaka-demo.db
ADDR     ?= 127.0.0.1:8080
FUZZTIME ?= 30s
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

## bench: every benchmark, with allocations
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

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
