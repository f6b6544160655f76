# Two commands matter: `make run` serves the app with demo data, `make test` runs every check.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi

.PHONY: run serve release bench chaos test fuzz install install-test translations migrate seed badge-key lint format messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed translations

install-test: $(VENV)/.installed-test translations

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d hcimv_lc/translations

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed --if-empty

# Development signs badges with a key of its own, made once in instance/.
badge-key: install
	@test -n "$$BADGE_KEY_PATH" || test -f instance/badge_signing_key.pem || $(FLASK) badges create-key

run: seed badge-key
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# Production: HCIMV_ENV=production, SECRET_KEY, DATABASE_URL and REDIS_URL set by you.
# `release` migrates once per release, from one machine; `serve` runs on every app server.
release: install
	HCIMV_ENV=production $(FLASK) db upgrade

serve: install
	HCIMV_ENV=production $(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

# The load benchmark of bench/run.py (about 25 minutes); see bench/RESULTS.md.
bench: install-test
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Kill gunicorn workers and stop a throwaway PostgreSQL cluster (port 5499) under
# load; no acknowledged write may go missing (about 5 minutes, as root). Not in `test`.
chaos: install-test
	$(BIN)/python bench/chaos.py $(CHAOS_ARGS)

lint: install-test
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/bandit -ll -q -r hcimv_lc bench wsgi.py

# One worker per core (pytest-xdist); a module stays on one worker, so the world it
# shares is built once. TEST_WORKERS=0 runs the suite in this process.
TEST_WORKERS ?= auto
test: lint
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile

# Hypothesis sends 1,000 generated inputs to every form and filter (see
# tests/test_fuzz_forms.py); `make test` sends 10. Both engines run at once, each in
# its own process with its own log; the answers per route go to test-results/.
FUZZ = HYPOTHESIS_PROFILE=fuzz FUZZ_REPORT=test-results/fuzz-answers.jsonl \
	$(BIN)/pytest -q -p no:cacheprovider tests/test_fuzz_forms.py $(FUZZ_ARGS)
fuzz: install-test
	mkdir -p test-results
	rm -f test-results/fuzz-answers.jsonl
	TEST_DATABASE_URL= $(FUZZ) > test-results/fuzz-sqlite.log 2>&1 & sqlite=$$!; \
	postgresql=0; \
	if [ -n "$$TEST_DATABASE_URL" ]; then \
		$(FUZZ) -k postgresql > test-results/fuzz-postgresql.log 2>&1 & postgresql=$$!; \
	fi; \
	wait $$sqlite; failed=$$?; \
	if [ $$postgresql != 0 ]; then wait $$postgresql || failed=1; fi; \
	tail -n 3 test-results/fuzz-*.log; \
	$(BIN)/python -m tests.fuzz_summary test-results/fuzz-answers.jsonl; \
	exit $$failed

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Re-extract the interface strings after changing templates or code.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o hcimv_lc/translations/messages.pot .
	$(BIN)/pybabel update -i hcimv_lc/translations/messages.pot -d hcimv_lc/translations

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
