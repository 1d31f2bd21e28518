# The commands README gives. `make run` starts the app on the embedded defaults; `make test`
# runs the whole suite on PostgreSQL and Redis on 127.0.0.1. Both build .venv when it is missing.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# Python keeps compiled modules, and pytest its rewritten test modules, in .venv/pycache (out of
# the source tree), even where the environment sets PYTHONDONTWRITEBYTECODE: without them every
# pytest process, and each of test-fast's, compiles the project and its tests again (about 5 s
# of CPU each).
PYTEST := env -u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX=$(abspath $(VENV))/pycache $(BIN)/pytest
HOST ?= 127.0.0.1
PORT ?= 8000
HOUSEHOLDS ?= 500
PYTEST_ARGS ?=
CLOCK_SHIFT_DAYS ?= 365
BENCH_ARGS ?=
FUZZ_EXAMPLES ?= 50
LANGUAGES := fr ar
# Directories that hold no source of ours: never scanned for messages, lint or caches.
NOT_SOURCE := .venv var node_modules staticfiles test-results

.DEFAULT_GOAL := help
.PHONY: help run setup test test-fast test-future fuzz lint format bench messages clean clean-all

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
		echo "Python 3.11 or newer is needed; found: $$($(PYTHON) --version 2>&1)." >&2; \
		echo "Run again with PYTHON=/path/to/python3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Stamps: reinstall when pyproject.toml changes. The dev extras include everything run needs.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@ $(VENV)/.installed-run

setup: $(VENV)/.installed-run ## Create .venv, migrate, load reference lists and the demo mission
	$(MANAGE) migrate --noinput
	$(MANAGE) load_reference_data
	@if ! find locale -name '*.po' 2>/dev/null | grep -q .; then :; \
	elif command -v msgfmt >/dev/null; then \
		$(MANAGE) compilemessages $(addprefix --ignore=,$(NOT_SOURCE)) --verbosity=0; \
	else echo "gettext is not installed: pages stay in English (apt-get install gettext)."; fi
	$(MANAGE) seed_demo --households $(HOUSEHOLDS)
	@# Hashed, compressed copies that WhiteNoise serves with a long cache lifetime, as in production.
	$(MANAGE) collectstatic --noinput --verbosity 0

run: setup ## Serve on http://127.0.0.1:8000 with a Celery worker and beat (PORT=8001 to move)
	@echo
	@echo "Serving on http://$(HOST):$(PORT)/  (API docs: http://$(HOST):$(PORT)/api/v1/docs/)"
	@echo "Web, Celery worker and Celery beat start together; Ctrl-C stops all three."
	@echo
	@# honcho would read .env (the docker-compose settings); the dev stack takes the shell's.
	@# Ctrl-C is the way to stop it: honcho then exits 130, which is not a failure of make's.
	PATH="$(CURDIR)/$(BIN):$$PATH" HOST=$(HOST) \
	DJANGO_SETTINGS_MODULE="$${DJANGO_SETTINGS_MODULE:-protection.settings.dev}" \
	$(BIN)/honcho start \
		--procfile Procfile --env /dev/null --port $(PORT) || [ $$? -eq 130 ]

# `make test` runs the whole suite in two passes. The first runs everything that can share the
# machine in one process per CPU (pytest-xdist; each process on a test database of its own,
# its browser and live server on ports of their own). The second runs, in one process, the tests
# that start a real Celery worker on the run's Redis databases (a worker would take another
# process's tasks), stop or freeze a Redis of their own, or check the operations (demo seeding,
# the dev stack on its port, compose). TEST_WORKERS=0 runs the first pass in one process too.
# pytest exits 5 when a pass selects nothing (PYTEST_ARGS naming one file): not a failure.
TEST_WORKERS ?= auto
PARALLEL_MARKERS := not integration and not ops
SERIAL_MARKERS := integration or ops
TWO_PASSES = status=0; \
	$(PYTEST) -m "$(PARALLEL_MARKERS)" -n $(TEST_WORKERS) --dist worksteal $(1) $(PYTEST_ARGS) \
		|| [ $$? -eq 5 ] || status=1; \
	$(PYTEST) -m "$(SERIAL_MARKERS)" $(1) $(PYTEST_ARGS) || [ $$? -eq 5 ] || status=1; \
	exit $$status
test: $(VENV)/.installed-dev ## Run the whole suite (PostgreSQL and Redis on 127.0.0.1)
	$(call TWO_PASSES,)

# The fast part for the edit-test loop: no browser, no real Celery worker, no ops checks (demo
# seeding, compose, settings), no schema fuzzing, nor what only those need (the fuzz module,
# which builds the schema when collected, and the schemathesis, Hypothesis and Playwright
# plugins: 1.5 s of CPU in each process). `make test` still runs everything.
# The fast part runs one process per CPU (pytest-xdist), each on a test database of its own
# (pytest-django names them <name>_gw0, _gw1, ...). FAST_WORKERS=0: one process.
FAST_MARKERS := not browser and not integration and not ops and not fuzz
FAST_SKIP := --ignore=tests/api/test_fuzz.py -p no:schemathesis -p no:hypothesispytest -p no:playwright
FAST_WORKERS ?= auto
test-fast: $(VENV)/.installed-dev ## Run the fast part of the suite in parallel (no browser, worker, ops or fuzz tests)
	$(PYTEST) -m "$(FAST_MARKERS)" $(FAST_SKIP) -n $(FAST_WORKERS) $(PYTEST_ARGS)

# The same suite with every clock of the run (pytest and its Celery workers) moved ahead by
# CLOCK_SHIFT_DAYS (a year unless given): a test that depends on today's date fails here.
# Two browser checks are left to `make test`, as they read no date: the accessibility walk of
# every page as every role (its pages' dates are the page tests' work, under this clock too)
# and the weight of the dev stack's pages. They are a third of the suite's time.
FUTURE_SKIP := --ignore=tests/browser/test_walk.py --ignore=tests/browser/test_dev_stack_weight.py
test-future: $(VENV)/.installed-dev ## Run the suite with the clock a year ahead (CLOCK_SHIFT_DAYS=365)
	export PROTECTION_TEST_CLOCK_SHIFT_DAYS=$(CLOCK_SHIFT_DAYS); $(call TWO_PASSES,$(FUTURE_SKIP))

fuzz: $(VENV)/.installed-dev ## Fuzz every API operation from the schema (FUZZ_EXAMPLES=50, boundaries)
	FUZZ_THOROUGH=1 FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PYTEST) tests/api/test_fuzz.py -m fuzz $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev ## ruff check, ruff format --check, mypy, import contracts
	@status=0; \
	$(BIN)/ruff check . || status=1; \
	$(BIN)/ruff format --check . || status=1; \
	$(BIN)/mypy . || status=1; \
	$(BIN)/lint-imports --no-cache || status=1; \
	exit $$status

format: $(VENV)/.installed-dev ## Fix what ruff can and format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.installed-dev ## Run the benchmarks (benchmarks/__main__.py)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

messages: $(VENV)/.installed-run ## Update the French and Arabic message files and compile them
	@mkdir -p locale
	$(MANAGE) makemessages $(addprefix --locale=,$(LANGUAGES)) $(addprefix --ignore=,$(NOT_SOURCE)) \
		--ignore=tests --ignore=benchmarks
	$(MANAGE) makemessages --domain=djangojs $(addprefix --locale=,$(LANGUAGES)) \
		$(addprefix --ignore=,$(NOT_SOURCE)) --ignore=tests --ignore=benchmarks --ignore='static/vendor'
	$(MANAGE) compilemessages $(addprefix --ignore=,$(NOT_SOURCE))

clean: ## Remove caches and build output (keeps .venv and the dev database in var/)
	rm -rf .pytest_cache .mypy_cache .ruff_cache test-results build dist *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

clean-all: clean ## Also remove .venv and var/ (the dev database, broker queue and static files)
	rm -rf $(VENV) var
