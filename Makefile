# qbo-sync: `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)

.PHONY: install demo test bench sandbox clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

## Run the whole sync on the demo company against the embedded QBO sandbox.
demo: install
	$(BIN)/qbo-sync demo

## Run the test suite (PostgreSQL tests run when QBO_SYNC_TEST_POSTGRES_URL is set).
test: install
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

## Benchmarks: each prints its figures.
bench: install
	$(BIN)/python bench/bench_sandbox.py

## Serve the local QBO sandbox on port 8000.
sandbox: install
	$(BIN)/qbo-sync sandbox

clean:
	rm -rf $(VENV) .qbo-sync .pytest_cache
