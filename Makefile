# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run worker test install migrate load lint format messages check-migrations pytest serve gunicorn bench bench-http bench-places clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py setup_staff_groups

load: migrate
	$(BIN)/python manage.py load_territories
	$(BIN)/python manage.py load_demo

## Install, migrate the embedded SQLite database, load the reference data and serve on 127.0.0.1:8000.
## With a broker configured (CELERY_BROKER_URL or REDIS_URL), a Celery worker runs beside the
## server and stops with it; without one, tasks run in the server's process (eager mode).
run: load
	@if [ "$$($(BIN)/python manage.py shell -v0 -c 'from django.conf import settings; print(settings.CELERY_TASK_ALWAYS_EAGER)' 2>/dev/null)" = False ]; then \
		echo "Task queue: $(BIN)/celery -A registry worker (stopped with the server)"; \
		$(BIN)/celery -A registry worker --loglevel=INFO --concurrency=1 & worker=$$!; \
		trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; trap 'exit 130' INT TERM; \
	fi; \
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver $(HOST):$(PORT)

## A Celery worker for the task queue (e-mails…), on the broker of CELERY_BROKER_URL or REDIS_URL.
worker: install
	$(BIN)/celery -A registry worker --loglevel=INFO

## Install if needed, then lint, check migrations and run the whole test suite.
## With DATABASE_URL=postgres://… the suite runs on PostgreSQL.
test: install lint check-migrations pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Refresh the English catalogue from the code (new French strings appear untranslated, changed
## ones fuzzy: tests/core/test_translations.py fails until they are translated), then compile it.
messages: install
	$(BIN)/python manage.py makemessages -l en --no-obsolete -i ".venv/*" -i "var/*" -i "staticfiles/*" -i "test-artifacts/*"
	$(BIN)/python manage.py compilemessages -l en -i .venv

check-migrations: install
	$(BIN)/python manage.py makemigrations --check --dry-run

## The suite runs in parallel (pytest-xdist): one worker per core, tests handed out in collection
## order (so the transactional browser tests stay last on each worker). Not loadfile/loadscope:
## they key tests by node id and would run one test of each schemathesis function (all of whose
## tests share one id). PYTEST_ARGS come after, so `make pytest PYTEST_ARGS="-n 0"` runs the
## suite serially (or PYTEST_PARALLEL= for no xdist option at all).
PYTEST_PARALLEL ?= -n auto --dist load

pytest: install
	$(BIN)/pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

## Production-like server on loopback (gunicorn + whitenoise), for manual checks.
gunicorn: migrate
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/gunicorn registry.wsgi:application --bind $(HOST):$(PORT) --workers 2

## Scale data and the relay benchmark (use a separate database, e.g.
## DATABASE_URL=sqlite:////tmp/bench.sqlite3 make bench).
bench: migrate
	$(BIN)/python manage.py load_territories
	$(BIN)/python manage.py generate_registry --clear --structures $${STRUCTURES:-25000} --smes $${SMES:-1000000}
	$(BIN)/python manage.py bench_relay --queries $${QUERIES:-1000}

## Pages and relay API under load, as shares of /healthz from the same run: gunicorn (2 workers,
## DEBUG off, throttles raised) on a loopback port against the current database, 32 connections.
## Build the data first (make bench on the same DATABASE_URL). DURATION seconds per target.
bench-http: install
	$(BIN)/python manage.py bench_http --duration $${DURATION:-10} --connections $${CONNECTIONS:-32} --workers $${WORKERS:-2}

## The commune name search (typos, abbreviations, prefixes) on the full reference, next to the
## exact search (use a separate database, e.g. DATABASE_URL=sqlite:////tmp/places.sqlite3 make bench-places).
bench-places: migrate
	$(BIN)/python manage.py load_territories
	$(BIN)/python manage.py bench_places --queries $${QUERIES:-400}

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
