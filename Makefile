# The two commands a newcomer needs: `make run` and `make test`.
# DATABASE_URL points both at PostgreSQL; without it they use SQLite (db.sqlite3).

VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# The first interpreter of at least 3.12 among python3.13, python3.12, pyenv's versions, python3.
PYTHON_FOR_VENV := $(shell for p in python3.13 python3.12 $$(ls -d $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV) python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v $$p; break; }; done)

.PHONY: run serve test lint format migrate demo messages clean check-python

check-python:
	@test -n "$(PYTHON_FOR_VENV)" || { echo "Python 3.12 or newer is needed (Django 6 requires it); none was found." >&2; exit 1; }

$(VENV)/.installed: requirements.txt requirements-dev.txt | check-python
	@test -x $(PY) || $(PYTHON_FOR_VENV) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

run: $(VENV)/.installed
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py migrate --no-input
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py load_demo
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py ensure_local_admin
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

# Production serving: gunicorn behind nginx, static files by whitenoise. Needs DJANGO_SECRET_KEY,
# DATABASE_URL and DJANGO_ALLOWED_HOSTS (README, Configuration); gunicorn reads WEB_CONCURRENCY
# for its number of workers. Migrations are left to the deployment, which runs them once.
serve: $(VENV)/.installed
	DJANGO_ENV=$${DJANGO_ENV:-production} $(PY) manage.py collectstatic --no-input --verbosity 0
	DJANGO_ENV=$${DJANGO_ENV:-production} exec $(VENV)/bin/gunicorn config.wsgi --bind $(HOST):$(PORT) --access-logfile -

test: $(VENV)/.installed
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Refresh the az and ru catalogs from the templates and code, then compile them (needs GNU gettext).
# The compiled .mo files are committed, so a machine without gettext still runs the site translated.
MESSAGES_OPTIONS := -l az -l ru --no-obsolete --add-location file \
	-i ".venv/*" -i "bench/*" -i "tests/*" -i "docs/*" -i "staticfiles/*" -i "media/*"

messages: $(VENV)/.installed
	$(PY) manage.py makemessages $(MESSAGES_OPTIONS)
	$(PY) manage.py compilemessages -l az -l ru -i ".venv/*"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# The public pages under load on PostgreSQL with 100,000 synthetic detainees (bench/run.py).
.PHONY: bench
bench: $(VENV)/.installed
	$(PY) -m bench.run

# wrk for 60 s at concurrency 16 on the listing, a filtered listing and a detainee page, with the
# page cache on and off (bench/load.py), on the same database as `make bench`.
.PHONY: load
load: $(VENV)/.installed
	$(PY) -m bench.load

# Over 10,000 hostile requests (hypothesis, and schemathesis from /api/v1/schema/) against the
# listing, export, statistics, API and detail pages; fails on any server error (bench/fuzz.py).
# A throwaway SQLite file, or with DATABASE_URL=postgres://… a database of its own, dropped after.
.PHONY: fuzz
fuzz: $(VENV)/.installed
	$(PY) -m bench.fuzz
