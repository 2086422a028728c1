# One entry point for every routine task. `make help` lists them.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
PORT   ?=
# Each backend's run spreads its tests over every core; PYTEST_ARGS= runs them in one process.
# PYTEST_ARGS comes last on each pytest line, so "--durations=60" in it wins.
PYTEST_ARGS ?= -n auto

.PHONY: help setup demo test test-sqlite test-postgres test-s3 lint fmt bench clips shots clean

help:  ## List the targets
	@grep -E '^[a-z0-9-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)  ## Create .venv and install voxkeep with its test tools

demo: $(STAMP)  ## Build the demo vault in ./voxkeep-data and serve it on 127.0.0.1:8000 (PORT=8011 for another)
	$(BIN)/voxkeep demo $(if $(PORT),--port $(PORT))

lint: $(STAMP)  ## ruff (format check + lint) and mypy --strict
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/mypy

fmt: $(STAMP)  ## Format and auto-fix
	$(BIN)/ruff format src tests bench scripts
	$(BIN)/ruff check --fix src tests bench scripts

test-sqlite: $(STAMP)  ## The suite on SQLite, browser journeys included
	VOXKEEP_TEST_DB=sqlite $(BIN)/python -m pytest -p no:cacheprovider --durations=15 $(PYTEST_ARGS)

test-postgres: $(STAMP)  ## The suite on PostgreSQL but the browser journeys and the tests test-s3 runs alike (VOXKEEP_TEST_PG, default postgresql://postgres@127.0.0.1:5432/test)
	VOXKEEP_TEST_DB=postgresql $(BIN)/python -m pytest -p no:cacheprovider -m "not browser and not s3" --durations=15 $(PYTEST_ARGS)

test-s3: $(STAMP)  ## The suite on PostgreSQL with every vault's blobs in S3 (a SeaweedFS it starts), kill tests included, browser journeys not
	VOXKEEP_TEST_DB=postgresql VOXKEEP_TEST_BLOBS=s3 $(BIN)/python -m pytest -p no:cacheprovider -m "not browser" --durations=15 $(PYTEST_ARGS)

test: lint test-sqlite test-postgres test-s3  ## Everything: lint, types, the suite on SQLite, on PostgreSQL, and on PostgreSQL + S3

bench: $(STAMP)  ## The benchmarks (slow; each prints a JSON line last; scale.py needs PostgreSQL as for make test)
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/export.py
	$(BIN)/python bench/retention.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/scale.py

clips:  ## Regenerate the demo clips (needs: apt-get install espeak-ng sox)
	$(PYTHON) scripts/make_demo_clips.py

shots: $(STAMP)  ## Retake the docs' screenshots the browser journeys take (into docs/img)
	VOXKEEP_DOCS_SHOTS=1 VOXKEEP_TEST_DB=sqlite $(BIN)/python -m pytest -p no:cacheprovider -q -m browser tests/browser

clean:  ## Remove the virtual environment and caches (not your data)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
