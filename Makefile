# roundtrip — two commands on a fresh clone: `make spec2code` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install spec2code test lint bench mock clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

spec2code: install
	$(BIN)/roundtrip generate specs -o generated

test: install
	$(BIN)/ruff check roundtrip tests bench
	$(BIN)/lint-imports
	$(BIN)/roundtrip check specs -o generated
	$(BIN)/roundtrip verify specs --app generated --login ana.ribeiro@pantry.dev:PantryDemo123
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check roundtrip tests bench
	$(BIN)/lint-imports

mock: install
	$(BIN)/roundtrip serve specs

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache
