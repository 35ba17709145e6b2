# The two commands: `make run` serves the sample archive, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint clean

run: $(VENV)/.installed
	$(BIN)/evidence ingest corpus --if-empty || [ $$? -eq 3 ]  # 3: some files failed; serve the rest
	$(BIN)/evidence reindex --if-stale --quiet  # an index an earlier version built is rebuilt first
	$(BIN)/evidence serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test
	$(BIN)/pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; run: make PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(VENV)/bin/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/bin/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

$(VENV)/.installed-dev: $(VENV)/bin/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(VENV)/.installed $(VENV)/.installed-test $@

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
