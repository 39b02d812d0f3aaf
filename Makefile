# The README's two commands: `make demo` and `make test`. Each sets itself up on a machine that has only
# python3 (3.10+) and make: uv is bootstrapped into .tools/ when it is not on PATH, and every dependency
# comes from the committed uv.lock. `make test-fast` is the quick lane for every change: lint, types and the
# unit tests, side by side, in about a minute.

PYTHON ?= python3
UV ?= $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv
PYTEST := $(VENV)/bin/pytest

.PHONY: demo airflow bench dist docs test static test-fast test-unit test-integration test-unit-integration test-e2e test-scale test-ui test-airflow-floor lint typecheck pytest install clean

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --all-extras --compile-bytecode
	@touch $@

install: $(VENV)/.installed

demo: install
	$(VENV)/bin/python scripts/demo.py

airflow: install
	$(VENV)/bin/python scripts/airflow_local.py

# Every benchmark, each figure the median of 3 runs next to its same-run baseline; rewrites BENCHMARKS.md.
# Not part of `make test`: it takes about an hour. `make bench BENCH_ARGS="--only triggers_scale"` runs one.
bench: install
	$(VENV)/bin/python scripts/bench.py $(BENCH_ARGS)

# The sdist and the wheel, in dist/ (uv builds them with the hatchling backend pyproject.toml names).
dist: | $(UV)
	rm -rf dist
	$(UV) build --out-dir dist

# The docs site (guides, API reference from the docstrings) into site/, strict: any warning fails it (a broken
# link or anchor, a docstring the reference cannot render). About 8 s; see docs/docs-site.md. The variable
# silences Material's notice of its end of life (May 2027), which is not a warning about this site.
docs: install
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

pytest: install
	$(PYTEST)

# Three jobs side by side: ruff and mypy (then the docs site, in the slot they free), the e2e lane (full Airflow
# stacks, which spend most of their time waiting on the scheduler, the triggerer and the workers) and the unit
# and integration lanes. Each pytest has its own throwaway AIRFLOW_HOME and servers on ephemeral ports; each
# job's output is printed when it ends.
test: install
	$(MAKE) --no-print-directory -j3 --output-sync=target static docs test-e2e test-unit-integration

test-unit-integration: install
	$(PYTEST) tests/unit tests/integration

static: lint typecheck

# Three jobs side by side: on two cores, mypy and the one-process unit lane each keep one busy.
test-fast: install
	$(MAKE) --no-print-directory -j3 --output-sync=target lint typecheck test-unit

test-unit: install
	$(PYTEST) tests/unit

test-integration: install
	$(PYTEST) tests/integration

test-e2e: install
	$(PYTEST) tests/e2e

# The scale-out lane at the issue's size: 200 chains on the CeleryExecutor (`make test` runs 20), about
# 9 minutes on a busy two-core machine. See docs/scale-out.md.
test-scale: install
	HUME_SCALE_CHAINS=200 $(PYTEST) tests/e2e/test_celery_scale_e2e.py

# The headless-Chromium walk of `make airflow`'s UI (its own Airflow start, about 2 minutes); CI runs it.
test-ui: install
	HUME_UI_LANE=1 $(PYTEST) tests/e2e/test_ui_browser_e2e.py

# The lowest Airflow that pyproject.toml allows, in a venv of its own: the example DAGs and the integration
# tests on it, in two processes (pytest-xdist, this lane only: its dag.test() runs take about three times as
# long as on the locked Airflow). About 11 minutes; not part of `make test`, CI runs it after. Airflow's
# constraints file for the release lives on GitHub, out of reach here: every package is resolved as the
# package index had it when the release was published (uv's --exclude-newer), as those constraints were.
# PyAV from wheels only: the index holds just the source of some releases. See docs/airflow-versions.md.
AIRFLOW_FLOOR := 3.1.5
AIRFLOW_FLOOR_PUBLISHED := 2025-12-12T22:00:00Z
FLOOR_VENV := .venv-floor

$(FLOOR_VENV)/.installed: pyproject.toml Makefile | $(UV)
	rm -rf $(FLOOR_VENV)
	$(UV) venv --quiet --python $(PYTHON) $(FLOOR_VENV)
	$(UV) pip install --quiet --compile-bytecode --python $(FLOOR_VENV)/bin/python \
		--exclude-newer $(AIRFLOW_FLOOR_PUBLISHED) --only-binary av "apache-airflow==$(AIRFLOW_FLOOR)" \
		--editable ".[amazon,parquet,openlineage,media,emulator]" --group dev pytest-xdist
	@touch $@

test-airflow-floor: $(FLOOR_VENV)/.installed
	$(FLOOR_VENV)/bin/pytest -n 2 tests/integration

clean:
	rm -rf $(VENV) $(FLOOR_VENV) .tools .mypy_cache .pytest_cache .ruff_cache site
