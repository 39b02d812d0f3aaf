# The README's two commands: `make demo` and `make test`. Each sets itself up on a machine that has only
# python3 (3.10+) and make: uv is bootstrapped into .tools/ when it is not on PATH, and every dependency
# comes from the committed uv.lock.

PYTHON ?= python3
UV ?= $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv

.PHONY: demo airflow test lint typecheck pytest install clean

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --all-extras
	@touch $@

install: $(VENV)/.installed

demo: install
	$(VENV)/bin/python scripts/demo.py

airflow: install
	$(VENV)/bin/python scripts/airflow_local.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

pytest: install
	$(VENV)/bin/pytest

test: lint typecheck pytest

clean:
	rm -rf $(VENV) .tools .mypy_cache .pytest_cache .ruff_cache
