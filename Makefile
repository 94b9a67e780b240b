# The two commands of the README: `make demo` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test quick lint typecheck bench docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)  # builds the demo workspace, prints its web login, then serves it (Ctrl-C stops)
	$(BIN)/shakhes demo demo-workspace --force
	$(BIN)/shakhes serve --workspace demo-workspace

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy src/shakhes

# Two test workers; --dist worksteal hands out tests one by one (a worker that runs out takes half
# of the other's queue), so a file of slow tests does not hold one worker while the other idles.
test: lint typecheck
	$(BIN)/pytest -q -n 2 --dist worksteal

quick: $(STAMP)  # the edit-test loop: stop at the first failure, skip tests marked slow
	$(BIN)/pytest -q -x -n 2 --dist worksteal -m "not slow"

bench: $(STAMP)
	$(BIN)/python bench/dashboard.py --rows 1000000,10000000,50000000
	$(BIN)/python bench/imports.py --runs 3
	$(BIN)/python bench/cli.py --runs 10

docs: $(STAMP)
	$(BIN)/python -m shakhes.spec.catalog docs/kpi-catalog.md
	$(BIN)/python -m shakhes.data.model_doc docs/data-model.md

clean:
	rm -rf $(VENV) demo-workspace .pytest_cache .mypy_cache .ruff_cache
