# Task runner. `make demo` and `make test` set everything up on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench wheel-check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

## demo: run the main job on a fresh copy of the example register (in ./demo-output)
demo: $(STAMP)
	rm -rf demo-output
	$(BIN)/isa demo demo-output

## test: run the test suite
test: $(STAMP)
	$(BIN)/python -m pytest -q

## lint: ruff over the package, tests and benchmarks
lint: $(STAMP)
	$(BIN)/ruff check isa_toolkit tests bench

## bench: print the figures for a synthetic 10,000-agreement register and for document batches
bench: $(STAMP)
	$(BIN)/python bench/bench_register.py
	$(BIN)/python bench/bench_documents.py
	$(BIN)/python bench/bench_signing.py
	$(BIN)/python bench/bench_sync.py
	$(BIN)/python bench/bench_startup.py
	$(BIN)/python bench/bench_site.py

## wheel-check: build the wheel, install it in a fresh venv outside the checkout, run it there
wheel-check: $(STAMP)
	bash .ci/wheel-check

clean:
	rm -rf $(VENV) dist build demo-output .pytest_cache
