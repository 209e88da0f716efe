# The two set-up commands of the README:
#   make demo   — install into .venv and run the whole chain on the bundled demo data
#   make test   — install into .venv (with test tools) and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_WORKSPACE ?= demo-workspace

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	bash scripts/system-deps.sh --runtime
	$(BIN)/workbench demo --workspace $(DEMO_WORKSPACE)

test: $(STAMP)
	bash scripts/system-deps.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python benchmarks/import_csv.py
	$(BIN)/python benchmarks/query.py
	bash scripts/system-deps.sh
	$(BIN)/python benchmarks/mqtt_ingest.py
	$(BIN)/python benchmarks/dashboard_load.py

clean:
	rm -rf $(VENV) $(DEMO_WORKSPACE) .pytest_cache .ruff_cache
