# qbo-sync: `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)

.PHONY: install demo test bench sandbox clean browser serve two-companies

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

## Run the whole sync on the demo company against the embedded QBO sandbox.
demo: install
	$(BIN)/qbo-sync demo

## Debian's Chromium for the console's browser tests (Playwright's own download fails offline).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; } || \
	  echo "chromium is not installed (needs root for apt-get): the console's browser tests will be skipped"

## Run the test suite (PostgreSQL tests run when QBO_SYNC_TEST_POSTGRES_URL is set).
test: install browser
	mkdir -p test-artifacts
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

## Benchmarks: each prints its figures (none is a timed test). Takes several minutes.
bench: install
	$(BIN)/python bench/bench_sandbox.py
	$(BIN)/python bench/bench_push.py
	$(BIN)/python bench/bench_staging.py
	$(BIN)/python bench/bench_prefect_overhead.py
	$(BIN)/python bench/bench_console.py
	$(BIN)/python bench/bench_read_verbs.py
	$(BIN)/python bench/bench_reads.py
	$(BIN)/python bench/bench_adoption.py
	$(BIN)/python bench/bench_payments_documents.py
	$(BIN)/python bench/bench_rehearsal.py

## Two companies synced at once by two Prefect workers (a Prefect server on PostgreSQL).
two-companies: install
	$(BIN)/python scripts/two_companies.py

## Serve the local QBO sandbox on port 8000.
sandbox: install
	$(BIN)/qbo-sync sandbox

clean:
	rm -rf $(VENV) .qbo-sync .pytest_cache

## Start a Prefect server on 127.0.0.1:$PREFECT_PORT (default 4200; SQLite in PREFECT_HOME, PostgreSQL
## when PREFECT_SERVER_DATABASE_CONNECTION_URL is set) and serve the qbo-sync deployments.
## Ctrl-C or SIGTERM stops both.
serve: install
	exec $(BIN)/qbo-sync serve --with-server --port $${PREFECT_PORT:-4200}
