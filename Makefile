# Lineup: `make run` serves the demo, `make test` runs every check. See README.md.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: help install install-dev run check test test-sqlite test-postgres test-services test-deps lint fmt bench bench-phone load lock clean messages compilemessages

help:
	@echo "make run    set up everything and serve the demo on http://$(HOST)/"
	@echo "make check  lint (ruff, migrations, mypy) and the SQLite suite without browser and services"
	@echo "make test   install test dependencies, lint, run the suite on SQLite and PostgreSQL"
	@echo "make bench  print timings and query counts for generated events"
	@echo "make bench-phone  load pages in Chromium as a phone on slow Wi-Fi: bytes, paint, load"
	@echo "make load      Locust: 4 gunicorn workers on PostgreSQL and Redis under 30 s of load, on 127.0.0.1"
	@echo "make messages  collect the marked strings into locale/<lang>/LC_MESSAGES/*.po"
	@echo "make compilemessages  build the .mo catalogues from the .po files (committed)"
	@echo "make lint / make fmt / make lock / make clean"

# Production packages only (requirements.lock): enough for make run and a server.
$(BIN)/.installed: requirements.lock
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock
	touch $@

# Production packages plus the test and lint tools (requirements-dev.lock).
$(BIN)/.installed-dev: $(BIN)/.installed requirements-dev.lock
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.lock
	touch $@

install: $(BIN)/.installed

install-dev: $(BIN)/.installed-dev

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py setup_demo --host $(HOST)
	$(BIN)/python manage.py runserver $(HOST)

test-deps:
	bash scripts/install-test-deps.sh

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	DATABASE_URL= $(BIN)/mypy

# The inner loop: lint, then the SQLite suite without the browser and the services.
check: lint
	DATABASE_URL= REDIS_URL= $(BIN)/pytest -m "not browser and not services" -q

fmt: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test-sqlite: install-dev
	@echo "=== pytest on SQLite (with browser tests) ==="
	DATABASE_URL= REDIS_URL= $(BIN)/pytest -m "not services"

test-postgres: install-dev
	@echo "=== pytest on PostgreSQL ==="
	REDIS_URL= bash scripts/with-postgres.sh $(BIN)/pytest -m "not browser and not services" --database-tests-only

test-services: install-dev
	@echo "=== several gunicorn workers on PostgreSQL and Redis, and their faults ==="
	bash scripts/with-postgres.sh bash scripts/with-redis.sh $(BIN)/pytest -m services

# The three suites run side by side (each prints its output when it ends): the SQLite and
# PostgreSQL suites keep the two cores busy, and the services suite, which mostly waits
# on its servers (about half a core while it runs), fills the gaps instead of
# running alone after them. Each has its own PostgreSQL server and Redis.
test: install-dev test-deps lint
	$(MAKE) --no-print-directory -j3 --output-sync=target test-sqlite test-postgres test-services

# Translations (README: "Adding a language"). The .po files are written by hand after
# `make messages`; `make compilemessages` builds the .mo files, which are committed, so
# that a clean clone runs without GNU gettext. Both need GNU gettext (Debian: gettext).
LANGS := de fr es
MESSAGES_IGNORE := --ignore=tests --ignore=var --ignore=docs --ignore=scripts \
	--ignore=static/vendor --ignore=test-artifacts --ignore=reference
messages: install
	$(BIN)/python manage.py makemessages $(addprefix -l ,$(LANGS)) -e html,py,jinja \
		$(MESSAGES_IGNORE) --no-obsolete --add-location=file
	$(BIN)/python manage.py makemessages -d djangojs $(addprefix -l ,$(LANGS)) \
		$(MESSAGES_IGNORE) --no-obsolete --add-location=file

compilemessages: install
	cd locale && ../$(BIN)/python ../manage.py compilemessages

bench: install-dev
	$(BIN)/python -m tests.bench.run

# The pages as a phone on conference Wi-Fi loads them: gunicorn, headless Chromium with
# network and CPU emulation; prints bytes on the wire, first paint and load time.
bench-phone: install-dev
	$(BIN)/python -m tests.bench.phone

# 20 simulated visitors for 30 s against gunicorn on a private PostgreSQL and Redis
# (LOADTEST_USERS, LOADTEST_DURATION, LOADTEST_WORKERS); non-zero if any request failed.
load: install-dev
	bash scripts/load.sh

# Re-pin every dependency after changing pyproject.toml: requirements.lock for
# production (the project's dependencies), requirements-dev.lock for tests and lint (the
# same pins plus the dev extras).
lock:
	rm -rf .lockenv && $(PY) -m venv .lockenv
	.lockenv/bin/python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; print('\n'.join(p['dependencies']))" > .lockenv/deps.txt
	.lockenv/bin/python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; print('\n'.join(p['optional-dependencies']['dev']))" > .lockenv/dev.txt
	.lockenv/bin/pip install -q -r .lockenv/deps.txt
	.lockenv/bin/pip freeze --exclude-editable > requirements.lock
	.lockenv/bin/pip install -q -c requirements.lock -r .lockenv/dev.txt
	.lockenv/bin/pip freeze --exclude-editable > requirements-dev.lock
	rm -rf .lockenv

clean:
	rm -rf $(VENV) var test-artifacts db.sqlite3*
