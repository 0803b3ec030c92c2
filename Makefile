# The two commands of the README: `make run` and `make test`. Everything else is set-up they call.
# The newest Python 3.11+ found on the PATH (python3.13, 3.12, 3.11, then python3); `make PYTHON=…` overrides.
PYTHON ?= $(shell for candidate in python3.13 python3.12 python3.11 python3; do \
	$$candidate -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$candidate; break; }; \
	done)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# pytest-xdist workers for `make test` ("auto": one per core); TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= auto
export DEBUG ?= 1

.PHONY: run test lint format install migrate clean screenshots bench schema-check

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || test -n "$(PYTHON)" || { \
		echo "The portal needs Python 3.11 or newer: none of python3.13, python3.12, python3.11 or python3 on the PATH is." >&2; \
		echo "Install one (or run: make PYTHON=/path/to/python3.x $(MAKECMDGOALS))." >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable

## Run the portal on SQLite with the demo world at http://127.0.0.1:$(PORT)/, and a task worker beside it
## (tools/run_dev.py: `manage.py db_worker` and `runserver`, plus a local clamd if installed; Ctrl-C stops all).
run: migrate
	$(BIN)/python manage.py seed_demo
	$(BIN)/python tools/run_dev.py $(PORT)

## Run the whole test suite (SQLite unless DATABASE_URL is set), with lint, types and the schema check.
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

## Fuzz the API against its own schema (schemathesis) on a throwaway database, live gunicorn, DEBUG off.
schema-check: install
	$(BIN)/python tools/schema_check.py

## Benchmark on a dedicated PostgreSQL database (seeds 100,000 applications once); figures for docs/performance.md
## (`make bench BENCH_ARGS="--only approvals http"` for some sections).
## Its load generator (wrk) and PostgreSQL's pgbench come from Debian (packages wrk and postgresql-contrib),
## installed here if missing (needs root; otherwise install them by hand first).
BENCH_TOOLS := wrk:wrk pgbench:postgresql-contrib
bench: install
	@for tool in $(BENCH_TOOLS); do command -v $${tool%%:*} >/dev/null || { \
		echo "Installing $${tool#*:} for $${tool%%:*}…"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q $${tool#*:} >/dev/null || exit 1; }; done
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

## Re-take docs/screenshots/ from the browser tests.
screenshots: install
	SAVE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/browser -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
