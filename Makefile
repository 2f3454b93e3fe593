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
	@# The editable build leaves an .egg-info in plugins/, which is on sys.path: Python would
	@# then see the distribution twice and Airflow would load its entry points twice.
	rm -rf plugins/*.egg-info
	touch $@

# `make demo [SEED=billing.json] [MAPPING=mapping.yaml] [NS_REFERENCE=accounts.json] [KEEP=1]`:
# the whole sync through Airflow on the sandboxes, then a summary; your Chargebee data (the
# seeding contract, include/chargebee/seed.schema.json), your mapping, your chart of accounts
# for the NetSuite sandbox; KEEP=1 leaves the sandboxes running (.sandbox/sandbox.json).
# `make airflow [SEED=…] [MAPPING=…] [NS_REFERENCE=…] [AIRFLOW_PORT=8080] [CONFIRM=1]`: the
# Airflow UI wired to the sandboxes, until Ctrl-C; every sync is a dry run (a per-line report
# of what would post) unless CONFIRM=1.
KEEP         ?=
CONFIRM      ?=
NS_REFERENCE ?=
AIRFLOW_PORT ?= 8080
# MAPPING (below, for `make check`) reaches the demo only when you set it.
INPUT_ARGS   = $(if $(SEED),--seed $(SEED)) $(if $(NS_REFERENCE),--ns-reference $(NS_REFERENCE)) \
               $(if $(filter-out file,$(origin MAPPING)),--mapping $(MAPPING))

demo: $(STAMP)
	$(PY) -m cbns_devkit.demo run $(INPUT_ARGS) $(if $(KEEP),--keep)

.PHONY: airflow
airflow: $(STAMP)
	$(PY) -m cbns_devkit.demo airflow $(INPUT_ARGS) --port $(AIRFLOW_PORT) $(if $(CONFIRM),--confirm)

sandbox: $(STAMP)
	$(VENV)/bin/cbns-sandbox serve $(SANDBOX_ARGS)

# `make check [MAPPING=path.yaml]`: ping your real systems through the Airflow connections
# `chargebee_default` and `netsuite_default` (AIRFLOW_CONN_* variables or AIRFLOW_HOME's
# metadata DB): token, governance, reference data, one Chargebee document, the mapping.
MAPPING ?= include/mapping.example.yaml
.PHONY: check
check: $(STAMP)
	$(VENV)/bin/cbns check --mapping $(MAPPING)

# `make chaos [SCALE=20] [SEEDS="1 2 3"]`: the fault matrix, every sync a run of the DAG through
# Airflow (`airflow dags test --use-executor`, task processes SIGKILLed and retried); every row
# must show 0 duplicates, 0 missing, 0 wrong and the DAG run states expected (exit 1 otherwise).
# `make bench [SCALES="2000 20000"] [BENCH_ARGS=--no-webhooks]`: throughput, ratio to the
# governance bound, peak RSS per stage, no-change and 100-changed syncs per stage and their
# cost across scales, the load at L 20/200 ms x C 5/15, extraction at each plan limit, then
# webhook → NetSuite latency through Airflow (50 events; a burst of 1,000 at 3500 requests/
# minute); every issue-16 figure with its bound and ratio, in bench/results.json.
# `make secrets` (after `make demo`): scan logs, reports, staging and the metadata DB for any
# credential.
SEEDS  ?=
SCALES ?=
BENCH_ARGS ?=
.PHONY: chaos bench secrets
chaos: $(STAMP)
	$(PY) -m cbns_devkit.proof.chaos $(if $(SCALE),--scale $(SCALE)) $(if $(SEEDS),--seeds $(SEEDS))

bench: $(STAMP)
	$(PY) -m cbns_devkit.proof.bench $(if $(SCALES),--scales $(SCALES)) $(BENCH_ARGS)

secrets: $(STAMP)
	$(PY) -m cbns_devkit.proof.secrets --state-dir .sandbox

lint: $(STAMP)
	$(VENV)/bin/ruff check plugins dags tests
	$(VENV)/bin/ruff format --check plugins dags tests
	$(VENV)/bin/mypy

# The suite runs against the sandboxes' primary profile, then the load, reconcile and tie-out
# tests again under the variant profile: where public evidence leaves a vendor behaviour open
# (SuiteQL date format and signs, NetSuite's tax engine, auto-numbering, Chargebee's write-off
# and chargeback conventions…) the sandboxes offer both, and the connector must pass both.
VARIANT_TESTS ?= tests/integration/load tests/integration/reconcile
test: lint
	$(VENV)/bin/pytest $(PYTEST_ARGS)
	CBNS_SANDBOX_PROFILE=variant $(VENV)/bin/pytest $(VARIANT_TESTS) $(PYTEST_ARGS)

format: $(STAMP)
	$(VENV)/bin/ruff check --fix plugins dags tests
	$(VENV)/bin/ruff format plugins dags tests

lock: $(STAMP)
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o constraints.txt

clean:
	rm -rf $(VENV) .sandbox .mypy_cache .ruff_cache .pytest_cache
