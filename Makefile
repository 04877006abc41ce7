# Pioneros: `make run` serves the demo network, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format messages worker reminders clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# Emails and other background work go to the task worker, started beside Daphne.
run: install
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true TASK_WORKER=true $(BIN)/python manage.py seed_demo --if-empty
	@echo "Pioneros on http://$(HOST):$(PORT)/ (demo accounts: see README)"
	DEBUG=true TASK_WORKER=true $(BIN)/python manage.py db_worker & worker=$$!; \
	while sleep 300; do DEBUG=true TASK_WORKER=true $(BIN)/python manage.py send_session_reminders; \
	DEBUG=true TASK_WORKER=true $(BIN)/python manage.py send_guide_reminders; done & reminders=$$!; \
	trap 'kill $$worker $$reminders' EXIT INT TERM; \
	DEBUG=true TASK_WORKER=true $(BIN)/daphne -b $(HOST) -p $(PORT) config.asgi:application

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
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

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
