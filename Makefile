# Every target bootstraps the local virtualenv itself, so on a fresh machine
# `make demo` and `make test` are the whole set-up.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
UV_VERSION := 0.13.9
STAMP  := $(VENV)/.installed

# Options for `make sandbox`, e.g. `make sandbox SEED=billing.json` or `make sandbox SCALE=200`.
SEED   ?=
SCALE  ?=
ARGS   ?=
SANDBOX_ARGS := $(if $(SEED),--cb-seed-file $(SEED)) $(if $(SCALE),--cb-scale $(SCALE)) $(ARGS)

.PHONY: venv demo sandbox test lint format lock clean

venv: $(STAMP)

# Installs are pinned by constraints.txt (a full lock of the resolved tree); `make lock`
# refreshes it after a dependency change in pyproject.toml.
$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet "uv==$(UV_VERSION)"
	$(VENV)/bin/uv pip install --quiet --python $(PY) -c constraints.txt -e '.[dev]'
	touch $@

demo: $(STAMP)
	$(VENV)/bin/cbns-sandbox demo --state-dir .sandbox/demo $(SANDBOX_ARGS)

sandbox: $(STAMP)
	$(VENV)/bin/cbns-sandbox serve $(SANDBOX_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check plugins dags tests
	$(VENV)/bin/ruff format --check plugins dags tests
	$(VENV)/bin/mypy

test: lint
	$(VENV)/bin/pytest $(PYTEST_ARGS)

format: $(STAMP)
	$(VENV)/bin/ruff check --fix plugins dags tests
	$(VENV)/bin/ruff format plugins dags tests

lock: $(STAMP)
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o constraints.txt

clean:
	rm -rf $(VENV) .sandbox .mypy_cache .ruff_cache .pytest_cache
