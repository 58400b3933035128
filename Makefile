# roundtable: one entry point for set-up, build, demo, tests and benchmark (see README).
# Every target installs what is missing first; state lives under .rt/<demo|test>.
SHELL := /bin/bash

.PHONY: all deps build demo dev test bench stack-start stack-stop stack-status migrate clean

all: build

deps:
	scripts/deps.sh

build: deps
	scripts/build.sh

# Foreground; Ctrl-C stops the edge, Redis and PostgreSQL it started.
demo:
	scripts/demo.sh

# Foreground: the demo stack, rt-edge and the Vite dev server with hot reload (scripts/dev.sh).
dev:
	scripts/dev.sh

test:
	scripts/test.sh

bench:
	scripts/bench.sh

stack-start: deps
	scripts/build.sh
	scripts/stack.sh start

stack-stop:
	scripts/stack.sh stop

stack-status:
	scripts/stack.sh status

# Installs/upgrades the extension and applies the sql/ seeds, idempotently (scripts/migrate.sh).
# With POSTGRES_SUPERUSER set: the database of POSTGRES_HOST/PORT/DB; otherwise the local stack
# of scripts/stack.sh (RT_HOME, default .rt/demo; start it first: make stack-start).
migrate:
	@if [ -n "$${POSTGRES_SUPERUSER:-}" ]; then scripts/migrate.sh; else scripts/migrate.sh --stack; fi

# Build output only; local state (.rt/, with databases and secrets) is kept: rm -rf .rt to reset.
clean:
	-[ -f pg_extension/Makefile ] && $(MAKE) -C pg_extension clean
	-[ -f edge/Makefile ] && $(MAKE) -C edge clean
	-$(MAKE) -C tests/fuzz clean
	rm -rf frontend/dist edge/build edge/build-asan
