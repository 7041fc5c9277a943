# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PASSWORD ?= Linkage-demo-2026

.PHONY: run dev test install reference demo serve lint format check-deploy messages clean

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# The demo county and the server, shared by `run` (debug off) and `dev` (debug on).
define serve_demo
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py loaddata divisions specialties formations incident_types hazard_types
	$(PY) manage.py seed_demo --password '$(DEMO_PASSWORD)'
	@echo
	@echo "Demo logins (password: $(DEMO_PASSWORD)):"
	@$(PY) manage.py seed_demo --list-users
	@echo
	@echo "Serving http://$(HOST):$(PORT)/ (HTTP and WebSocket, ASGI) — Ctrl-C to stop"
	@# The beat schedule's ticks (roll calls, overdue orders) run beside the server.
	$(PY) manage.py run_ticks > var/ticks.log 2>&1 & ticks=$$!; \
	trap 'kill $$ticks 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/daphne --no-server-name -b $(HOST) -p $(PORT) config.asgi:application
endef

## Embedded mode: SQLite, in-memory channel layer, tasks in-process, demo county loaded.
## Debug off, as in production: error pages without internals, static files collected and
## served by whitenoise, uploads only through access-checked views. Plain HTTP on the
## loopback address, so no HTTPS redirect, secure-only cookies or HSTS; the secret key is
## generated once into var/secret_key (mode 600) so that sessions survive a restart.
run: export DJANGO_DEBUG := 0
run: export DJANGO_SECRET_KEY_FILE := $(CURDIR)/var/secret_key
run: export DJANGO_SECURE_SSL_REDIRECT := 0
run: export DJANGO_SECURE_COOKIES := 0
run: export DJANGO_HSTS_SECONDS := 0
run: export DJANGO_HSTS_PRELOAD := 0
# The demo's logins work without an authenticator app (the login page says so); set
# OTP_REQUIRED_ROLES=administrator,bureau_approver to require the second factor here too.
run: export OTP_REQUIRED_ROLES ?=
# The one-time links in the simulator's SMS point at this server.
run: export NOTIFY_PUBLIC_URL ?= http://$(HOST):$(PORT)
run: install var/secret_key
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(serve_demo)

## The same demo with Django's debug pages, for working on the code.
dev: export DJANGO_DEBUG := 1
dev: export NOTIFY_PUBLIC_URL ?= http://$(HOST):$(PORT)
dev: install
	$(serve_demo)

var/secret_key: | install
	mkdir -p var
	(umask 077 && $(PY) -c 'import secrets; print(secrets.token_urlsafe(64))' > $@.tmp) && mv $@.tmp $@

## The whole suite. PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set.
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

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
