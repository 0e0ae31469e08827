# The one entry point for developer commands. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)

.PHONY: install run test test-fast bench lint format check clean

$(STAMP): requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 ($(PYTHON)) is needed"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# Demo: DEBUG on, SQLite and the filesystem broker unless DATABASE_URL / REDIS_URL are set.
run: export DEBUG ?= True
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Starting web server on http://127.0.0.1:8000, a Celery worker and Celery beat. Ctrl-C stops all three."
	@trap 'trap - INT TERM; echo "Stopping..."; kill -TERM $$pids 2>/dev/null; wait' INT TERM; \
	$(VENV)/bin/celery -A clinic worker --loglevel=INFO --concurrency=2 & pids="$$!"; \
	$(VENV)/bin/celery -A clinic beat --loglevel=INFO & pids="$$pids $$!"; \
	$(PY) manage.py runserver --noreload 127.0.0.1:8000 & pids="$$pids $$!"; \
	wait

test: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# The inner loop while coding: the suite less the browser journeys, the migration tests and the tests with
# real Redis and Celery worker processes (one Redis database for all: not safe two at a time), spread over
# the cores by pytest-xdist. Before pushing, `make test`: everything, as CI runs it.
test-fast: install
	$(VENV)/bin/pytest -n auto -m "not browser and not migrations and not redis" $(PYTEST_ARGS)

# On the configured database (SQLite unless DATABASE_URL). With BENCH_POSTGRES_URL (a throwaway
# database's URL), booking, pages and reminders run again on PostgreSQL: bench-results-postgresql.json.
bench: install
	$(PY) -m bench
	@if [ -n "$(BENCH_POSTGRES_URL)" ]; then \
	  echo "--- again on PostgreSQL: booking, pages, reminders"; \
	  DATABASE_URL="$(BENCH_POSTGRES_URL)" BENCH_RESULTS=bench-results-postgresql.json $(PY) -m bench booking pages reminders; \
	fi

# ruff, then the layers (pyproject.toml's import-linter contracts: clinic <- intake <- infusions, the rooms of
# infusions, the pure rules).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: install
	DEBUG=True $(PY) manage.py makemigrations --check --dry-run
	$(PROD_ENV) $(PY) manage.py check --deploy --fail-level WARNING

# Production-like values for `check --deploy` (README, Configuration).
PROD_ENV := DEBUG=False SECRET_KEY=ci-check-deploy-$$(date +%s)-a-long-random-secret-value-0123456789abcdef ALLOWED_HOSTS=clinic.example.org

clean:
	rm -rf $(VENV) var
