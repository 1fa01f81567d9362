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
run: export FRUKOST_DEBUG = 1
run: export FRUKOST_BASE_URL ?= http://127.0.0.1:$(PORT)
run: setup
	$(BIN)/frukost migrate --no-input
	$(BIN)/frukost seed_demo
	$(BIN)/frukost dev --port $(PORT)

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

# Refresh the Swedish catalogue after changing strings (needs GNU gettext), translate the new
# entries in src/frukost/locale/sv/LC_MESSAGES/django.po, then run `make messages` again to compile.
# The msgids are the English text, so English needs no catalogue. Commit both django.po and django.mo.
messages: setup
	cd src/frukost && FRUKOST_DEBUG=1 ../../$(BIN)/frukost makemessages -l sv --no-obsolete
	cd src/frukost && FRUKOST_DEBUG=1 ../../$(BIN)/frukost compilemessages -l sv

clean:
	rm -rf $(VENV) var .pytest_cache
