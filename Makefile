# The two commands a newcomer needs: `make run` and `make test`.
# DATABASE_URL points both at PostgreSQL; without it they use SQLite (db.sqlite3).

VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# What `make test` passes to pytest. Empty: the whole suite on every core (pytest-xdist's -n auto).
# Given: exactly these arguments, e.g. PYTEST_ARGS="tests/cases/test_listing.py -k facet" runs in
# one process, and adding "-n 2" spreads it over two.
PYTEST_ARGS ?=

# The first interpreter of at least 3.12 among python3.13, python3.12, pyenv's versions, python3.
PYTHON_FOR_VENV := $(shell for p in python3.13 python3.12 $$(ls -d $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV) python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v $$p; break; }; done)

# $(call step,What is happening,command): one line of progress; the command's own output goes to
# .venv/step.log and is shown (its end) only if the command fails.
STEP_LOG := $(VENV)/step.log
define step
	@printf '%s\n' "== $(1)"
	@$(2) > $(STEP_LOG) 2>&1 || { tail -n 40 $(STEP_LOG); printf '%s\n' "== failed: $(1) (whole output in $(STEP_LOG))"; exit 1; }
endef
PIP := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: run serve test lint format migrate demo messages clean check-python system-packages

check-python:
	@test -n "$(PYTHON_FOR_VENV)" || { echo "Python 3.12 or newer is needed (Django 6 requires it); none was found." >&2; exit 1; }

# Serving needs the runtime requirements only; the test and lint tools come with `make test`.
$(VENV)/.installed-runtime: requirements.txt | check-python
	@test -x $(PY) || { printf '%s\n' "== Creating the virtual environment in $(VENV) ($(PYTHON_FOR_VENV))"; $(PYTHON_FOR_VENV) -m venv $(VENV); }
	$(call step,Installing what the site needs (requirements.txt),$(PIP) -r requirements.txt)
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed-runtime
	$(call step,Installing the test and lint tools (requirements-dev.txt),$(PIP) -r requirements-dev.txt)
	@touch $@

# DEBUG stays off, so a mistyped address shows the site's own 404 page (and an error its 500
# page, with the traceback in this terminal); --insecure lets runserver serve the static files
# without DEBUG. DJANGO_DEBUG=1 make run brings back Django's debug pages.
MANAGE := DJANGO_DEBUG=$${DJANGO_DEBUG:-0} $(PY) manage.py

run: $(VENV)/.installed-runtime
	$(call step,Migrating the database,$(MANAGE) migrate --no-input)
	$(call step,Loading the sourced demo data,$(MANAGE) load_demo)
	@$(MANAGE) ensure_local_admin --host $(HOST) --port $(PORT)
	@printf '%s\n' "== Serving http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	@$(MANAGE) runserver --insecure $(HOST):$(PORT)

# Production serving: gunicorn behind nginx, static files by whitenoise. Needs DJANGO_SECRET_KEY,
# DATABASE_URL and DJANGO_ALLOWED_HOSTS (README, Configuration; docs/deployment.md); gunicorn reads WEB_CONCURRENCY
# for its number of workers. Migrations are left to the deployment, which runs them once.
serve: $(VENV)/.installed-runtime
	DJANGO_ENV=$${DJANGO_ENV:-production} $(PY) manage.py collectstatic --no-input --verbosity 0
	DJANGO_ENV=$${DJANGO_ENV:-production} exec $(VENV)/bin/gunicorn config.wsgi --bind $(HOST):$(PORT) --access-logfile -

# Debian packages some tests use: chromium (the browser tests) and gettext (the catalog tests).
# Installed here where the user can (root with apt-get, as on a server or in CI). Elsewhere those
# tests are skipped with one line saying how to install them (tests/conftest.py, `needs`), except
# under CI=true, where a missing one fails the run.
SYSTEM_PACKAGES := chromium:chromium gettext:msgfmt
system-packages:
	@missing=""; for pair in $(SYSTEM_PACKAGES); do \
		command -v $${pair#*:} >/dev/null 2>&1 || missing="$$missing $${pair%%:*}"; done; \
	if [ -n "$$missing" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		printf '%s\n' "== Installing Debian's$$missing for the tests"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; } \
			> $(STEP_LOG) 2>&1 || printf '%s\n' "   could not install$$missing (see $(STEP_LOG)); the tests that need it will say so"; \
	fi

test: $(VENV)/.installed-dev system-packages
	$(PY) -m pytest $(if $(strip $(PYTEST_ARGS)),$(PYTEST_ARGS),-n auto)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Refresh the az and ru catalogs from the templates and code, then compile them (needs GNU gettext).
# The compiled .mo files are committed, so a machine without gettext still runs the site translated.
MESSAGES_OPTIONS := -l az -l ru --no-obsolete --add-location file \
	-i ".venv/*" -i "bench/*" -i "tests/*" -i "docs/*" -i "staticfiles/*" -i "media/*"

messages: $(VENV)/.installed-runtime
	$(PY) manage.py makemessages $(MESSAGES_OPTIONS)
	$(PY) manage.py compilemessages -l az -l ru -i ".venv/*"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# The public pages under load on PostgreSQL with 100,000 synthetic detainees (bench/run.py).
.PHONY: bench
bench: $(VENV)/.installed-dev
	$(PY) -m bench.run

# wrk for 60 s at concurrency 16 on the listing, a filtered listing and a detainee page, with the
# page cache on and off (bench/load.py), on the same database as `make bench`.
.PHONY: load
load: $(VENV)/.installed-dev
	$(PY) -m bench.load

# Junk-parameter and rate-limit traffic at a local gunicorn (Redis-backed cache, the production
# limits): reports the cache entries junk created and the 429s floods got (bench/abuse.py).
.PHONY: abuse
abuse: $(VENV)/.installed-dev
	$(PY) -m bench.abuse

# Over 10,000 hostile requests (hypothesis, and schemathesis from /api/v1/schema/) against the
# listing, export, statistics, API and detail pages; fails on any server error (bench/fuzz.py).
# A throwaway SQLite file, or with DATABASE_URL=postgres://… a database of its own, dropped after.
.PHONY: fuzz
fuzz: $(VENV)/.installed-dev
	$(PY) -m bench.fuzz
