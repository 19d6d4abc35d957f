# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs against real services; these are CI's and a fresh machine's defaults.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/petrosa
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
TEST_ENV := DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) PETROSA_TRADING_MODE=paper DB_CONN_MAX_AGE=0

.PHONY: install run test pytest lint-imports migrations-check worker beat consumer bench soak clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements.txt
	touch $@

install: $(VENV)/.installed

## make run: migrate, create demo data (prints the logins), serve on http://$(HOST):$(PORT)
## The demo is on: prices tick and two built-in strategies trade by themselves. `PETROSA_DEMO=false make run` turns it off.
run: export PETROSA_DEMO ?= true
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "API docs:  http://$(HOST):$(PORT)/api/docs/"
	@echo "Admin:     http://$(HOST):$(PORT)/admin/"
	@echo "Dashboard: http://$(HOST):$(PORT)/dashboard/"
	$(PY) manage.py serve --host $(HOST) --port $(PORT)

## make test: start PostgreSQL and Redis if needed, then the whole suite
test: install
	bash deploy/dev/ensure_services.sh
	$(MAKE) pytest lint-imports migrations-check

pytest: install
	$(TEST_ENV) $(PY) -m pytest

lint-imports: install
	$(VENV)/bin/lint-imports

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

## With REDIS_URL set, the pipeline runs in Celery workers and beat:
worker: install
	$(VENV)/bin/celery -A petrosa worker -Q signals,execution --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A petrosa beat --loglevel=INFO

## NATS JetStream signal intake (needs a nats-server; see README)
consumer: install
	$(PY) manage.py consume_signals

## make bench: intake, signal-to-fill, throughput, scaling and websocket fan-out, each against a
## baseline from the same run; writes BENCHMARKS.md (~15 min). BENCH_ARGS="--quick" for a smoke run.
bench: install
	bash deploy/dev/ensure_services.sh
	$(PY) -m bench $(BENCH_ARGS)

## make soak: idempotency storm, SIGKILLed workers, Redis and PostgreSQL outages, schemathesis,
## the auth/signature matrix and the audit chain, on a throwaway PostgreSQL and a private
## redis-server; writes RELIABILITY.md (~10 min). SOAK_ARGS="--quick" for a smoke run.
soak: install
	bash deploy/dev/ensure_services.sh
	$(PY) -m soak $(SOAK_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache
