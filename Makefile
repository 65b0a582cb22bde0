# NTM Tracker — two commands: `make run` (install, migrate, demo data, serve with a report worker) and
# `make test` (whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run install system-deps test lint migrate demo bench bench-reports clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# Debian packages for WeasyPrint (Pango), the report PDF's fonts (Liberation 2: Times New Roman metrics with
# Vietnamese; the 1.x faces of fonts-liberation lack it), PDF text extraction, QR decoding in tests and the browser tests.
system-deps:
	@if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = "0" ]; then \
	  missing=""; \
	  for p in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core fonts-liberation2 poppler-utils libzbar0 chromium gettext docker-compose; do \
	    dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi; \
	fi

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

# The web server and a real Celery worker (reports, beat, sweep) on the embedded broker (a folder, no server):
# config/embedded.py; Ctrl-C stops both.
run: system-deps install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --logins
	@echo ""
	@echo "NTM Tracker: http://$(HOST):$(PORT)/ (web server and report worker; Ctrl-C stops both)"
	DEBUG=true $(PY) -m config.embedded $(HOST):$(PORT)

test: system-deps install
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

bench: install
	$(PY) benchmarks/run.py $(BENCH_ARGS)

bench-reports: install
	$(PY) benchmarks/reports_bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
