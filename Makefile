# The two commands a new user needs: `make run` and `make test`. See README.md.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PIP_FLAGS ?= --disable-pip-version-check --quiet
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format check-schema migrate demo serve bench-contacts bench-ledger bench-money bench-accounts bench-subscriptions bench-notes bench-import bench-statements load pg-up clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamp files: reinstall only when a requirements file changes.
$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(PY) -m pip install $(PIP_FLAGS) -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(PY) -m pip install $(PIP_FLAGS) -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

var:
	mkdir -p var

migrate: $(VENV)/.runtime | var
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py collectstatic --no-input --verbosity 0
	$(PY) manage.py seed_demo --host $(HOST) --port $(PORT)

serve:
	$(PY) manage.py runserver $(HOST):$(PORT) --noreload

## make run: install, migrate the SQLite database under var/, seed the demo business, serve on 127.0.0.1:8000.
run: demo serve

## make test: the whole suite; SQLite unless DATABASE_URL points at PostgreSQL.
test: $(VENV)/.dev
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .

format: $(VENV)/.dev
	$(BIN)/ruff format .

check-schema: $(VENV)/.dev
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

## make pg-up: install (when absent) and start a local PostgreSQL, print its DATABASE_URL.
pg-up:
	@scripts/pg-up

## make bench-contacts: the contacts benchmark on PostgreSQL (starts a local server when DATABASE_URL is unset).
bench-contacts: $(VENV)/.dev
	@url="$${BENCH_DATABASE_URL:-$$(scripts/pg-up)}"; \
	BENCH_DATABASE_URL="$$url" $(PY) bench/contacts.py $(BENCH_ARGS)

## make bench-ledger: the ledger benchmark (sells list, supplier stock, creating a sell) on PostgreSQL.
bench-ledger: $(VENV)/.dev
	@url="$${BENCH_DATABASE_URL:-$$(scripts/pg-up)}"; \
	BENCH_DATABASE_URL="$$url" $(PY) bench/ledger.py $(BENCH_ARGS)

## make bench-money: the money benchmark (a customer's balance, its ledger by month, its all-time csv) on PostgreSQL.
bench-money: $(VENV)/.dev
	@url="$${BENCH_DATABASE_URL:-$$(scripts/pg-up)}"; \
	BENCH_DATABASE_URL="$$url" $(PY) bench/money.py $(BENCH_ARGS)

## make bench-accounts: the accounts benchmark (reports, cash flow, an account's ledger) on PostgreSQL.
bench-accounts: $(VENV)/.dev
	@url="$${BENCH_DATABASE_URL:-$$(scripts/pg-up)}"; \
	BENCH_DATABASE_URL="$$url" $(PY) bench/accounts.py $(BENCH_ARGS)

## make bench-subscriptions: the subscriptions benchmark (the invoice generator catching up, GET /subscriptions) on PostgreSQL.
bench-subscriptions: $(VENV)/.dev
	@url="$${BENCH_DATABASE_URL:-$$(scripts/pg-up)}"; \
	BENCH_DATABASE_URL="$$url" $(PY) bench/subscriptions.py $(BENCH_ARGS)

## make bench-notes: the documents-and-notes benchmark (ten 5 MB uploads and a download in memory, a list page) on PostgreSQL.
bench-notes: $(VENV)/.dev
	@url="$${BENCH_DATABASE_URL:-$$(scripts/pg-up)}"; \
	BENCH_DATABASE_URL="$$url" $(PY) bench/notes.py $(BENCH_ARGS)

## make bench-statements: the statements benchmark (ledger PDFs of 2,000 and 10,000 lines, format_1 and format_3) on PostgreSQL.
bench-statements: $(VENV)/.dev
	@url="$${BENCH_DATABASE_URL:-$$(scripts/pg-up)}"; \
	BENCH_DATABASE_URL="$$url" $(PY) bench/statements.py $(BENCH_ARGS)

## make bench-import: the contact import benchmark (10,000-row xlsx, 50,000-row csv through the API) on PostgreSQL.
bench-import: $(VENV)/.dev
	@url="$${BENCH_DATABASE_URL:-$$(scripts/pg-up)}"; \
	BENCH_DATABASE_URL="$$url" $(PY) bench/contacts_import.py $(BENCH_ARGS)

## make load: gunicorn on PostgreSQL on 127.0.0.1 under wrk (64 connections: 60 s of reads, 30 s of writes), before
## and after the serving settings; prints req/s, p50/p99, answers by status, then checks the invariants.
load: $(VENV)/.dev
	@command -v wrk >/dev/null || { echo "make load: installing wrk (Debian package)" >&2; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; fi; }
	@url="$${BENCH_DATABASE_URL:-$$(scripts/pg-up)}"; \
	BENCH_DATABASE_URL="$$url" $(PY) bench/load.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) var/static
