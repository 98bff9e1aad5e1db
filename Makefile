# Pacer: one binary, a local cluster, and the tests.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -euc
MAKEFLAGS += --warn-undefined-variables

GO      ?= go
TOOLS   := crm crm_mon cibadmin crm_simulate crm_attribute fence_pacer crm_resource crm_verify crm_node crm_standby crm_failcount crm_ticket stonith_admin haresources2cib
RUNDIR  ?= run
NODES   ?= 3

.PHONY: build run stop test test-short verify vet fmt fuzz bench conformance clean examples

build:
	@mkdir -p bin
	$(GO) build -o bin/pacer ./cmd/pacer
	@for t in $(TOOLS); do ln -sf pacer bin/$$t; done

# A local cluster in ./run and the crm shell on node1. Leaving the shell
# keeps the cluster running; `make stop` stops it.
run: build
	bin/pacer local up --nodes $(NODES) --dir $(RUNDIR)
	PACER_SOCKET=$(RUNDIR)/node1/pacer.sock bin/crm

stop:
	@if [ -d $(RUNDIR) ]; then bin/pacer local down --dir $(RUNDIR); fi

# Everything CI runs: format, vet, and every test (the end-to-end cluster
# tests included).
test: build verify
	$(GO) test -race -count=1 -timeout 20m ./...

# Every example in examples/ on its own local cluster, one at a time (each
# run.sh checks its outcome), then the init script in packaging/; fails if
# any fails.
EXAMPLES ?= $(sort $(wildcard examples/*/run.sh))
examples: build
	@failed=; for x in $(EXAMPLES) packaging/check.sh; do \
	  echo "=== $$x"; \
	  if ! $$x; then failed="$$failed $$x"; fi; \
	done; \
	if [ -n "$$failed" ]; then echo "failed:$$failed"; exit 1; fi; \
	echo "all examples passed"

test-short: build
	$(GO) test -short -count=1 ./...

verify: vet
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

fmt:
	gofmt -w $$(find . -name '*.go' -not -path './run/*')

fuzz:
	$(GO) test ./grammar -run '^$$' -fuzz FuzzParse -fuzztime 60s

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Scores against crmsh 4.4.1 and Pacemaker 2.1.5 (needs ../shared); not a gate.
CONFORMANCE ?= ../shared/conformance
conformance: build
	@if [ -d $(CONFORMANCE) ]; then \
	  echo "shell:     $$($(CONFORMANCE)/shell/run -q -j 2 -- bin/crm 2>&1 | tail -1)"; \
	  echo "scheduler: $$($(CONFORMANCE)/scheduler/run --jobs 2 --show-fail 0 -- bin/crm_simulate 2>&1 | tail -1)"; \
	else echo "no conformance kit at $(CONFORMANCE)"; fi

clean:
	rm -rf bin
