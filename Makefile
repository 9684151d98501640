# Every target sets up .venv on first use (idempotent; a no-op when pyproject.toml is unchanged).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.mercato-installed

.PHONY: help setup run demo test lint typecheck bench eval clean

help:  ## List the targets.
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Mercato needs Python 3.11 or newer (set PYTHON=...)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)  ## Create .venv and install Mercato with its dev tools.

run: $(STAMP)  ## Run the Discord bot (needs DISCORD_TOKEN; explains what to set without it).
	$(BIN)/mercato run

demo: $(STAMP)  ## Run the whole pipeline offline on the bundled sample feeds.
	$(BIN)/mercato demo

test: $(STAMP)  ## Run the test suite.
	$(BIN)/python -m pytest -q

lint: $(STAMP)  ## ruff and mypy (strict on bot/).
	$(BIN)/ruff check bot cogs tests bench
	$(BIN)/mypy

bench: $(STAMP)  ## Benchmarks: matching throughput and end-to-end ingest, as ratios to a baseline.
	$(BIN)/python -m bench

eval: $(STAMP)  ## Precision/recall on the labelled corpus in tests/data/ (men's, women's and other sports).
	$(BIN)/python -m bench.eval
	@for corpus in women women_b othersport othersport_b; do \
		echo; $(BIN)/python -m bench.eval --corpus tests/data/$$corpus.jsonl | sed -n '1,4p;/^  other sports/p'; \
	done

clean:  ## Remove the virtualenv and caches.
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
