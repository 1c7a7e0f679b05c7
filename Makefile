# The two commands of the README: `make run` and `make test`. Each sets up what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUN_STAMP  := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test lint typecheck sysdeps bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test,dev]'
	touch $@ $(RUN_STAMP)

sysdeps:
	@bash deploy/system-deps.sh

run: $(RUN_STAMP)
	@bash deploy/system-deps.sh --warn-only
	$(BIN)/popgate serve

test: $(TEST_STAMP) sysdeps
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 --dist loadgroup

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(TEST_STAMP)
	$(BIN)/mypy --strict schemas store

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
