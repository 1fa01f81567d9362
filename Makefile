# Every target bootstraps .venv itself, so `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export FRUKOST_DATA_DIR ?= $(CURDIR)/var

.PHONY: setup run test test-fast lint format messages clean

$(BIN)/frukost: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(BIN)/frukost

setup: $(BIN)/frukost

# Development server with the e-mail worker beside it; Ctrl-C stops both.
run: setup
	$(BIN)/frukost migrate --no-input
	$(BIN)/frukost seed_demo
	FRUKOST_DEBUG=1 $(BIN)/frukost dev --port $(PORT)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Everything but the browser tests: the quick loop while coding.
test-fast: setup
	$(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

format: setup
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

# Refresh the translation catalogue after changing strings (needs GNU gettext).
messages: setup
	cd src/frukost && ../../$(BIN)/frukost makemessages -l sv -l en --no-obsolete
	cd src/frukost && ../../$(BIN)/frukost compilemessages

clean:
	rm -rf $(VENV) var .pytest_cache
