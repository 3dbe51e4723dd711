# Lineup: `make run` serves the demo, `make test` runs every check. See README.md.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: help install run test test-sqlite test-postgres test-services test-deps lint fmt bench loadtest lock clean

help:
	@echo "make run    set up everything and serve the demo on http://$(HOST)/"
	@echo "make test   install test dependencies, lint, run the suite on SQLite and PostgreSQL"
	@echo "make bench  print timings and query counts for generated events"
	@echo "make loadtest  4 gunicorn workers on PostgreSQL and Redis under 30 s of load, on 127.0.0.1"
	@echo "make lint / make fmt / make lock / make clean"

$(BIN)/.installed: requirements.lock
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py setup_demo --host $(HOST)
	$(BIN)/python manage.py runserver $(HOST)

test-deps:
	bash scripts/install-test-deps.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test-sqlite: install
	@echo "=== pytest on SQLite (with browser tests) ==="
	DATABASE_URL= REDIS_URL= $(BIN)/pytest -m "not services"

test-postgres: install
	@echo "=== pytest on PostgreSQL ==="
	REDIS_URL= bash scripts/with-postgres.sh $(BIN)/pytest -m "not browser and not services"

test-services: install
	@echo "=== several gunicorn workers on PostgreSQL and Redis, and their faults ==="
	bash scripts/with-postgres.sh bash scripts/with-redis.sh $(BIN)/pytest -m services

test: install test-deps lint test-sqlite test-postgres test-services

bench: install
	$(BIN)/python -m tests.bench.run

# 20 simulated visitors for 30 s against gunicorn on a private PostgreSQL and Redis
# (LOADTEST_USERS, LOADTEST_DURATION, LOADTEST_WORKERS); non-zero if any request failed.
loadtest: install
	bash scripts/loadtest.sh

# Re-pin every dependency after changing pyproject.toml.
lock:
	rm -rf .lockenv && $(PY) -m venv .lockenv
	.lockenv/bin/python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; print('\n'.join(p['dependencies'] + p['optional-dependencies']['dev']))" > .lockenv/deps.txt
	.lockenv/bin/pip install -q -r .lockenv/deps.txt
	.lockenv/bin/pip freeze > requirements.lock
	rm -rf .lockenv

clean:
	rm -rf $(VENV) var test-artifacts db.sqlite3*
