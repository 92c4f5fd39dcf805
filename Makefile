# The front door. `make run` and `make test` are all a new developer needs.
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3.13 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# run and demo always use the embedded default (SQLite under var/, Celery eager), as test does,
# whatever DATABASE_URL or a broker in the environment says.
EMBEDDED := env -u DATABASE_URL -u CELERY_BROKER_URL -u REDIS_URL
STAMP := $(VENV)/.installed

.PHONY: run test lint format demo migrate messages bench bench-statistics mutate install clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo 'Could not create .venv: on Debian run  apt-get install python3-venv'; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

demo: $(STAMP)
	$(EMBEDDED) $(PY) manage.py migrate --noinput
	$(EMBEDDED) $(PY) manage.py demo

run: demo
	@echo "Serving One Window at http://127.0.0.1:$(PORT)/ on the embedded SQLite database (Ctrl-C stops)"
	$(EMBEDDED) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(STAMP)
	env -u DATABASE_URL -u CELERY_BROKER_URL -u REDIS_URL $(PY) -m pytest -n 2 $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy portal services certificates bench

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv

bench: $(STAMP)
	$(PY) -m bench $(BENCH_ARGS)

# Mutation testing with mutmut 3 (docs/mutation.md). Takes long: never part of `test` or CI.
# `make mutate MUTATE=services/formdefs.py` for one module; results stay in mutants/.
MUTATE ?= certificates/verification.py certificates/issuing.py portal/realname.py \
	portal/identity.py services/formdefs.py
mutate: $(STAMP)
	env -u DATABASE_URL -u CELERY_BROKER_URL -u REDIS_URL \
		DJANGO_SETTINGS_MODULE=portal.settings.test nice -n 19 \
		$(VENV)/bin/mutmut run $(MUTATE_ARGS) $(foreach m,$(MUTATE),'$(subst /,.,$(m:.py=)).*')
	@$(PY) -c 'import json, sys, collections; from mutmut.stats import status_by_exit_code as s; \
		[print(f, dict(collections.Counter(s[c] for c in json.load(open(f"mutants/{f}.meta"))["exit_code_by_key"].values()))) for f in sys.argv[1:]]' $(MUTATE)
	@echo "Survivors: $(VENV)/bin/mutmut results; one of them: $(VENV)/bin/mutmut show NAME"

clean:
	rm -rf $(VENV) var mutants

# The statistics bench (ADR 0014) on a generated year in the PostgreSQL of DATABASE_URL:
# `manage.py generate_year --clear` first (minutes), then each page's response time.
bench-statistics: $(STAMP)
	$(PY) -m bench.statistics $(BENCH_ARGS)
