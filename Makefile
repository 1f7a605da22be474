# The two commands a newcomer needs: `make run` and `make test`.
# DATABASE_URL points both at PostgreSQL; without it they use SQLite (db.sqlite3).

VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# The first interpreter of at least 3.12 among python3.13, python3.12, pyenv's versions, python3.
PYTHON_FOR_VENV := $(shell for p in python3.13 python3.12 $$(ls -d $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV) python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v $$p; break; }; done)

.PHONY: run test lint format migrate demo messages clean check-python

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

test: $(VENV)/.installed
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# The public pages under load on PostgreSQL with 100,000 synthetic detainees (bench/run.py).
.PHONY: bench
bench: $(VENV)/.installed
	$(PY) -m bench.run
