# Pioneros: `make run` serves the demo network, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
BENCH_STAMP := $(VENV)/.bench-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in emails (built by the worker and the reminders too) point where the site is served.
PUBLIC_URL ?= http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT)
RUN_ENV := DEBUG=true PUBLIC_URL=$(PUBLIC_URL)
# daphne (the default), uvicorn (as production serves it) or granian (the dev extra);
# `make bench` compares them on this app: docs/performance.md.
ASGI_SERVER ?= daphne
SERVE_daphne := $(BIN)/python -m config.serve -b $(HOST) -p $(PORT) config.asgi:application
SERVE_granian := $(BIN)/python -m config.serve_granian --host $(HOST) --port $(PORT) \
	config.asgi:granian_application
SERVE_uvicorn := $(BIN)/python -m config.serve_uvicorn --host $(HOST) --port $(PORT) \
	config.asgi:application
SERVE := $(or $(SERVE_$(ASGI_SERVER)),$(error ASGI_SERVER must be daphne, granian or uvicorn))

.PHONY: install run test lint format messages worker reminders clean bench bench-quick

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# Uvicorn and the benchmarks' client library come with the bench extra.
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	rm -f $(VENV)/.bench-*
	touch $(BENCH_STAMP)

# Emails and other background work go to the task worker, started beside Daphne.
run: install
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) TASK_WORKER=true $(BIN)/python manage.py seed_demo --if-empty
	@echo "Pioneros on http://$(HOST):$(PORT)/ (demo accounts: see README)"
	$(RUN_ENV) TASK_WORKER=true $(BIN)/python manage.py db_worker & worker=$$!; \
	while sleep 300; do $(RUN_ENV) TASK_WORKER=true $(BIN)/python manage.py send_session_reminders; \
	$(RUN_ENV) TASK_WORKER=true $(BIN)/python manage.py send_guide_reminders; \
	$(RUN_ENV) TASK_WORKER=true $(BIN)/python manage.py send_readiness_reminders; \
	$(RUN_ENV) TASK_WORKER=true $(BIN)/python manage.py invite_exporters_to_mentor; done & reminders=$$!; \
	trap 'kill $$worker $$reminders' EXIT INT TERM; \
	$(RUN_ENV) TASK_WORKER=true $(SERVE)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install
	DEBUG=true $(BIN)/python manage.py makemessages -l es -l pt_BR -l en --ignore=.venv --ignore=tests
	DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv

worker: install
	$(BIN)/python manage.py db_worker

reminders: install
	$(BIN)/python manage.py send_session_reminders
	$(BIN)/python manage.py send_guide_reminders
	$(BIN)/python manage.py send_readiness_reminders
	$(BIN)/python manage.py invite_exporters_to_mentor

# Benchmarks against bare references (bench/, never collected by pytest): QUICK=1 is the
# CI-sized run; BENCH_ARGS="--only fanout layer" picks some, "--max-sockets 1000" and
# "--max-topics 20000" cap the scales a machine cannot hold in the time at hand.
bench: $(BENCH_STAMP)
	$(BIN)/python -m bench $(if $(QUICK),--quick) $(BENCH_ARGS)

bench-quick:
	$(MAKE) bench QUICK=1

# The full load run (1,000 live clients, 5 minutes, two Daphne processes, own Redis, a fresh
# PostgreSQL database); `make test` runs a 100-client, 30-second version. SOAK_ARGS="--clients
# 300 --seconds 60" sizes it.
.PHONY: soak
soak: install
	$(BIN)/python -m tests.reliability.soak $(SOAK_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
