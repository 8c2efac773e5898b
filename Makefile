# fundflow — one command to start, one to test. See README.md.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## run: set up and show seed 001's allocation table (until the web system exists)
run: install
	$(VENV)/bin/fundflow allocate examples/xinjiang-2021-medical-aid.yaml

## test: set up and run every test
test: install
	$(PY) -m pytest

## lint: ruff (style, imports) and mypy (strict on fundflow.core)
lint: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy

## bench: benchmarks that print figures (docs/performance.md records them)
bench: install
	$(PY) bench/bench_allocate.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
