# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PASSWORD ?= Linkage-demo-2026

.PHONY: run test install reference demo serve lint format check-deploy messages clean

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed

## Embedded mode: SQLite, in-memory channel layer, tasks in-process, demo county loaded.
run: install
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py loaddata divisions specialties formations incident_types
	$(PY) manage.py seed_demo --password '$(DEMO_PASSWORD)'
	@echo
	@echo "Demo logins (password: $(DEMO_PASSWORD)):"
	@$(PY) manage.py seed_demo --list-users
	@echo
	@echo "Serving http://$(HOST):$(PORT)/ (HTTP and WebSocket, ASGI) — Ctrl-C to stop"
	@# The beat schedule's ticks (roll calls, overdue orders) run beside the server.
	$(PY) manage.py run_ticks > var/ticks.log 2>&1 & ticks=$$!; \
	trap 'kill $$ticks 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) config.asgi:application

## The whole suite. PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set.
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check-deploy: install
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	DJANGO_ALLOWED_HOSTS=linkage.example.gov.cn $(PY) manage.py check --deploy --fail-level WARNING

## Refresh translations after changing source strings (needs Debian's gettext).
messages: install
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'static/*' --ignore 'tests/*'
	$(PY) manage.py compilemessages -l zh_Hans --ignore '.venv/*'

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles var
