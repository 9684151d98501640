# Every target sets up .venv on first use (idempotent; a no-op while pyproject.toml and the lockfile are unchanged).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.mercato-installed
# setuptools says "Editable installation" on every editable build (information, not a problem): quieten it.
INSTALL_SELF = PYTHONWARNINGS=ignore $(BIN)/python -m pip install -q --disable-pip-version-check --no-deps \
               --no-build-isolation -e .
# The lockfiles: every package of the tree, pinned, with hashes. `make lock` writes them from pyproject.toml.
LOCK     := requirements.txt
DEV_LOCK := requirements-dev.txt
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --group pyproject.toml:build --universal --generate-hashes \
             --python-version 3.11 --custom-compile-command "make lock" --quiet

.PHONY: help setup native sync run demo test lint typecheck bench eval lock clean

help:  ## List the targets.
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

# Installs exactly what the lockfile says (hashes checked), then Mercato itself without touching the index.
$(STAMP): pyproject.toml setup.py $(DEV_LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Mercato needs Python 3.11 or newer (set PYTHON=...)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check --require-hashes -r $(DEV_LOCK)
	@echo "Installing Mercato (compiling its reading code with mypyc, about a minute)..."
	@$(INSTALL_SELF)
	@touch $(STAMP)

# setup.py compiles the reading code (bot/native.py lists it); compile again when those sources changed.
# (Until then Mercato runs them as Python, never a stale build.)
native: $(STAMP)
	@$(BIN)/python -c 'import sys, bot.native as n; sys.exit(1 if n.stale_sources() else 0)' 2>/dev/null || { echo "Reading code changed: compiling it again..."; $(INSTALL_SELF); }

setup: native  ## Create .venv and install Mercato with its dev tools, from the lockfile.

sync: native  ## First run: register the slash commands with Discord, then serve (like `make run`).
	$(BIN)/mercato run --sync

run: native  ## Run the Discord bot (needs DISCORD_TOKEN; explains what to set without it).
	$(BIN)/mercato run

demo: native  ## Run the whole pipeline offline on the bundled sample feeds.
	$(BIN)/mercato demo

test: native  ## Run the test suite.
	$(BIN)/python -m pytest -q -n auto  # one worker per core (pytest-xdist)

lint: native  ## ruff and mypy (strict on bot/).
	$(BIN)/ruff check bot cogs tests bench setup.py
	$(BIN)/mypy

bench: native  ## Benchmarks: matching throughput and end-to-end ingest, as ratios to a baseline.
	$(BIN)/python -m bench

eval: native  ## Precision/recall on the labelled corpora in tests/data/ (men's, women's, other sports, Italian).
	$(BIN)/python -m bench.eval
	$(BIN)/python -m bench.direction
	@for corpus in heldout6 heldout7 blind9a blind9b blind9c blind9d blind9e blind9f blind9g; do \
		echo; $(BIN)/python -m bench.eval --corpus tests/data/$$corpus.jsonl | sed -n '1,6p'; \
		$(BIN)/python -m bench.direction --corpus tests/data/$$corpus.jsonl | sed -n '2,3p'; \
	done
	@for corpus in women women_b othersport othersport_b; do \
		echo; $(BIN)/python -m bench.eval --corpus tests/data/$$corpus.jsonl | sed -n '1,4p;/^  other sports/p'; \
	done
	@for corpus in italian italian_b italian_c italian_d italian_e italian_f italian_g; do \
		echo; $(BIN)/python -m bench.eval --corpus tests/data/$$corpus.jsonl | sed -n '1,6p'; \
	done

lock: $(STAMP)  ## Re-resolve requirements*.txt (pins and hashes) after changing pyproject.toml.
	$(UV_COMPILE) --extra dev -o $(DEV_LOCK)
	$(UV_COMPILE) -o $(LOCK)

clean:  ## Remove the virtualenv and caches.
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
