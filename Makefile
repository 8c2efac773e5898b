# fundflow — one command to start, one to test. See README.md.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install system-deps run demo test test-sqlite test-postgres lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## system-deps: Debian packages the tests need (PostgreSQL server, Chromium, CJK fonts); installs only what is missing
system-deps:
	bash scripts/system-deps.sh

## run: set up, load demo data from the seed documents into the embedded SQLite database, serve on :8000
run: install
	$(VENV)/bin/fundflow demo
	$(VENV)/bin/fundflow serve --port 8000

demo: install
	$(VENV)/bin/fundflow demo

## test: set up and run every test, on SQLite and then on a throwaway PostgreSQL cluster
test: install system-deps test-sqlite test-postgres

test-sqlite: install
	FUNDFLOW_EXPECT_DB=sqlite $(PY) -m pytest

test-postgres: install
	FUNDFLOW_EXPECT_DB=postgresql bash scripts/with-postgres.sh $(PY) -m pytest

## lint: ruff (style, imports) and mypy (strict on fundflow.core)
lint: install
	$(VENV)/bin/ruff check src tests bench scripts
	$(VENV)/bin/ruff format --check src tests bench scripts
	$(VENV)/bin/mypy

## bench: benchmarks that print figures (docs/performance.md records them)
bench: install
	$(PY) bench/bench_allocate.py
	bash scripts/with-postgres.sh $(PY) bench/bench_ledger.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
